"""Where the bytes live: ``STORAGES["motcua_files"]`` (filesystem by default, S3-compatible optionally).

Never under ``MEDIA_URL``: the filesystem location is outside the media root and the S3 bucket
is private (no query-string auth URLs are handed out), so every download goes through a view.
"""

from django.core.files.storage import storages

STORAGE_ALIAS = "motcua_files"


def file_storage():
    return storages[STORAGE_ALIAS]
