"""Signals about dossiers for apps above this one (sent where no ``DossierEvent`` is written)."""

from django.dispatch import Signal

#: The national portal acknowledged these dossiers for the first time: their NgayDongBo (``synced_at``,
#: 766 indicator 1.4) was just set. ``dossier_ids``: a list of primary keys.
first_synced = Signal()
