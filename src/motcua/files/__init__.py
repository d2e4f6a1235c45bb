"""The digital dossier's files: checked on upload, stored once by content, served only through scoped views."""
