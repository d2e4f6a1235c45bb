"""The staff workspace: the one-stop desk, the specialists' and leaders' queues, the dossier page."""
