"""An individual nominee's details the board asks for: gender, ethnicity (dân tộc: the
Ban Dân tộc and the statistics of Bộ Nội vụ count them) and date of birth, with the
checks a date of birth must pass. No I/O."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class Gender(StrEnum):
    MALE = "nam"
    FEMALE = "nu"


GENDER_LABELS = {Gender.MALE: "Nam", Gender.FEMALE: "Nữ"}

OTHER_ETHNICITY = "Khác"

# The 54 ethnic groups of Việt Nam, in the order of the official list (Tổng cục Thống kê,
# danh mục các dân tộc Việt Nam), then "Khác" for anyone the list does not name.
ETHNICITIES: tuple[str, ...] = (
    "Kinh",
    "Tày",
    "Thái",
    "Mường",
    "Khmer",
    "Hoa",
    "Nùng",
    "Mông",
    "Dao",
    "Gia Rai",
    "Ê Đê",
    "Ba Na",
    "Sán Chay",
    "Chăm",
    "Cơ Ho",
    "Xơ Đăng",
    "Sán Dìu",
    "Hrê",
    "Ra Glai",
    "Mnông",
    "Thổ",
    "Xtiêng",
    "Khơ Mú",
    "Bru Vân Kiều",
    "Cơ Tu",
    "Giáy",
    "Tà Ôi",
    "Mạ",
    "Giẻ Triêng",
    "Co",
    "Chơ Ro",
    "Xinh Mun",
    "Hà Nhì",
    "Chu Ru",
    "Lào",
    "La Chí",
    "Kháng",
    "Phù Lá",
    "La Hủ",
    "La Ha",
    "Pà Thẻn",
    "Lự",
    "Ngái",
    "Chứt",
    "Lô Lô",
    "Mảng",
    "Cơ Lao",
    "Bố Y",
    "Cống",
    "Si La",
    "Pu Péo",
    "Rơ Măm",
    "Brâu",
    "Ơ Đu",
    OTHER_ETHNICITY,
)

# A person proposed for an award works or has worked: younger than this is a typing
# mistake (a year of birth off by a decade), older than the other is one too.
MIN_AGE, MAX_AGE = 15, 100


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def birth_date_problem(born: date, today: date) -> str | None:
    """Why `born` cannot be a nominee's date of birth on `today`, in Vietnamese."""
    if born >= today:
        return "Ngày sinh phải là một ngày trong quá khứ."
    age = age_on(born, today)
    if age < MIN_AGE:
        return f"Ngày sinh cho thấy chưa đủ {MIN_AGE} tuổi: hãy kiểm tra lại năm sinh."
    if age > MAX_AGE:
        return f"Ngày sinh cho thấy hơn {MAX_AGE} tuổi: hãy kiểm tra lại năm sinh."
    return None
