"""A cluster's year (năm thi đua của Cụm): membership by decision, plan, covenant,
registrations, scores and reviews (domain/clusters.py)."""
