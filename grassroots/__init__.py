"""The grassroots information system (hệ thống thông tin cơ sở) of a Vietnamese province."""

__version__ = "0.1.0"
