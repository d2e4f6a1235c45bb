"""Procedure versions (phiên bản TTHC): the version in force, created when the legal content changes.

A dossier records the version it was received under; the importer and the demo catalogue ask
for it too, so the rule lives here, below both.
"""

from __future__ import annotations

from django.db.models import F, Q

from .models import FeeSpec, Procedure, ProcedureCase, ProcedureVersion


def current_version(procedure: Procedure) -> ProcedureVersion:
    """The procedure version in force now, creating version 1 on first use."""
    values = procedure.versioned_values()
    version = procedure.current_version
    if version is None or version.values != values:
        previous = version
        number = (procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = ProcedureVersion.objects.create(procedure=procedure, number=number, values=values)
        if previous is not None:
            _carry_over(previous, version)
        Procedure.objects.filter(pk=procedure.pk).update(current_version=version)
        procedure.current_version = version
    return version


def _carry_over(previous: ProcedureVersion, version: ProcedureVersion) -> None:
    """A new version keeps the cases, components and fees of the one it replaces (edited from there on)."""
    cases = {}
    for case in previous.cases.all():
        old_pk = case.pk
        case.pk, case.version = None, version
        case.save()
        cases[old_pk] = case
    for related in (previous.components.all(), previous.fees.all()):
        for row in related:
            row.pk, row.version = None, version
            row.case = cases.get(row.case_id) if row.case_id else None
            row.save()


def fees_of(version: ProcedureVersion | None, case: ProcedureCase | None = None) -> list[FeeSpec]:
    """The phí, lệ phí a dossier of ``version`` owes: the version's common fees and, for a legal case chosen,
    the case's own (R4.8: fees per trường hợp). The case may be one of an earlier version: it is matched by code."""
    if version is None:
        return []
    fees = FeeSpec.objects.filter(version=version)
    fees = fees.filter(Q(case__isnull=True) | Q(case__code=case.code)) if case is not None else fees.filter(case=None)
    return list(fees.order_by(F("case_id").asc(nulls_first=True), "code", "pk"))  # common ones first
