"""motcua — Hệ thống thông tin giải quyết thủ tục hành chính (provincial TTHC information system)."""

__version__ = "0.1.0"
