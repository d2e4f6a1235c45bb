"""Log formatting: the console gets one line per message, the log file the details."""

import logging


class OneLineFormatter(logging.Formatter):
    """Omit tracebacks, so that a console user never sees one (they stay in the log file)."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
