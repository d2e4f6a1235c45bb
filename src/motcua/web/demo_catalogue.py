"""What the demo catalogue needs beyond the exchange set: declared components, workflows and fees.

The exchange format (interchange.md) carries procedures, fees and dossiers but
not each procedure's list of components (thành phần hồ sơ) nor the internal
workflow (quy trình nội bộ). For the demo we declare, per procedure, the
components its dossiers were submitted with (TP01…TPn) under plausible names,
and one generic three-step workflow whose steps share the procedure's time
limit, so the desk's checklist and the specialists' queue have something real
to work on. Idempotent.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from motcua.catalog.models import ComponentSpec, FeeSpec, Procedure, Workflow, WorkflowStep
from motcua.catalog.versions import current_version
from motcua.dossiers.models import DossierComponent, FeeLine
from motcua.interchange.names import LEGAL_FEES

COMPONENT_NAMES = [
    ("Tờ khai (đơn đề nghị) theo mẫu", True),
    ("Bản sao Căn cước hoặc giấy tờ tùy thân của người đề nghị", True),
    ("Giấy tờ chứng minh nơi cư trú hoặc trụ sở", True),
    ("Bản sao các giấy tờ liên quan theo quy định", False),
    ("Giấy ủy quyền (trường hợp nộp thay)", False),
]
WORKFLOW_STEPS = [  # name, role, allotted working hours without a time limit, share of the time limit
    ("Thẩm định hồ sơ", "specialist", Decimal(8), Decimal("0.55")),
    ("Xem xét, trình ký", "specialist", Decimal(4), Decimal("0.2")),
    ("Ký duyệt kết quả", "leader", Decimal(4), Decimal("0.15")),
]
#: Working hours of a time limit by its unit (calendar days: five working days in seven).
_HOURS_PER = {"ngay_lam_viec": Decimal(8), "gio_lam_viec": Decimal(1), "ngay": Decimal(8) * 5 / 7}


def step_hours(procedure: Procedure) -> list[Decimal]:
    """Allotted working hours of the demo workflow's steps: their share of the procedure's time limit (the rest
    is the desk's and the hand-overs'), at least half an hour; fixed hours when the limit is unknown."""
    per = _HOURS_PER.get(procedure.time_unit)
    if procedure.time_limit is None or per is None:
        return [hours for _name, _role, hours, _share in WORKFLOW_STEPS]
    total = Decimal(procedure.time_limit) * per
    return [max(Decimal("0.5"), round(total * share, 1)) for _name, _role, _hours, share in WORKFLOW_STEPS]


@transaction.atomic
def declare_demo_catalogue() -> tuple[int, int]:
    """Declare components and a generic workflow where a procedure has none; returns (components, workflows)."""
    submitted = dict(
        DossierComponent.objects.filter(component_code__startswith="TP")
        .values("dossier__procedure_id")
        .annotate(last=Max("component_code"))
        .values_list("dossier__procedure_id", "last")
    )
    with_workflow = set(Workflow.objects.values_list("procedure_id", flat=True))
    components, workflows = [], 0
    for procedure in Procedure.objects.select_related("current_version").order_by("pk"):
        version = current_version(procedure)
        if not version.components.exists():
            count = int(submitted.get(procedure.pk, "TP02")[2:] or 2)
            components += [
                ComponentSpec(
                    version=version,
                    code=f"TP{k + 1:02d}",
                    name=COMPONENT_NAMES[k % 5][0],
                    required=COMPONENT_NAMES[k % 5][1],
                )
                for k in range(max(1, min(count, len(COMPONENT_NAMES))))
            ]
        if procedure.pk not in with_workflow:
            workflow = Workflow.objects.create(procedure=procedure, name=f"Quy trình nội bộ {procedure.code}")
            WorkflowStep.objects.bulk_create(
                [
                    WorkflowStep(workflow=workflow, order=i + 1, name=name, role=role, allotted_hours=hours)
                    for i, ((name, role, _h, _s), hours) in enumerate(
                        zip(WORKFLOW_STEPS, step_hours(procedure), strict=True)
                    )
                ]
            )
            workflows += 1
    ComponentSpec.objects.bulk_create(components, batch_size=2000)
    return len(components), workflows


@transaction.atomic
def declare_demo_fees() -> int:
    """The fee catalogue (FeeSpec) of each fee-bearing procedure that declares none: the lines its dossiers were
    charged. The exchange set carries each dossier's DanhSachLePhi but not the procedure's fees; declared, a
    dossier received at the counter owes what the imported ones did. Returns how many fees were declared.
    Idempotent."""
    charged: dict[int, list[tuple[str, str, int]]] = {}
    for procedure_id, code, name, amount in (
        FeeLine.objects.filter(amount__gt=0, dossier__procedure__has_fee=True)
        .values_list("dossier__procedure_id", "code", "name", "amount")
        .distinct()
        .order_by("dossier__procedure_id", "code", "name", "amount")
    ):
        charged.setdefault(procedure_id, []).append((code, name, amount or 0))  # amount > 0: never None
    fees = []
    for procedure in Procedure.objects.filter(pk__in=charged).select_related("current_version").order_by("pk"):
        version = current_version(procedure)
        if not version.fees.exists():
            fees += [
                FeeSpec(version=version, code=code, name=name, amount=amount)
                for code, name, amount in charged[procedure.pk]
            ]
    FeeSpec.objects.bulk_create(fees, batch_size=2000)
    return len(fees)


@transaction.atomic
def declare_legal_fees() -> int:
    """The fees the law sets for the demo's procedures of those kinds (the generated set draws fees at random);
    returns how many procedures got one. Idempotent."""
    declared = 0
    for phrase, code, name, amount, _basis in LEGAL_FEES:
        for procedure in Procedure.objects.filter(name__icontains=phrase).order_by("pk"):
            if not procedure.has_fee:  # first, so that the version the fee goes on is the one in force
                procedure.has_fee = True
                procedure.save(update_fields=["has_fee"])
            version = current_version(procedure)
            if version.fees.filter(code=code).exists():
                continue
            FeeSpec.objects.create(version=version, code=code, name=name, amount=amount)
            declared += 1
    return declared
