"""The board's rounds (đợt xét khen thưởng): API and use cases."""
