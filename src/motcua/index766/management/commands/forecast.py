import json
import sys

from motcua.core.commands import MotcuaCommand


class Command(MotcuaCommand):
    help = (
        "Dự báo điểm cuối kỳ nếu không có gì thay đổi, và các hồ sơ, PAKN sẽ làm mất điểm nếu trễ hạn. / "
        "Forecast the score at period end and the open dossiers and complaints that will cost points."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)
        parser.add_argument("--unit")
        parser.add_argument(
            "--data", help="Bộ dữ liệu trao đổi thay cho cơ sở dữ liệu / an exchange set instead of the database"
        )
        parser.add_argument("--as-of", dest="as_of")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument("--limit", type=int, default=50, help="Số mục rủi ro in ra / items to print")

    def handle(self, period, unit, data, as_of, format, limit, **options):
        from motcua.index766.commandline import facts_and_switches
        from motcua.index766.forecast import forecast

        facts, switches = facts_and_switches(data)
        result = forecast(facts, period, as_of=as_of, units=[unit] if unit else None, switches=switches)
        payload = result.to_json()
        if format == "json":
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1, default=str) + "\n")
            return
        for u in payload["units"]:
            sys.stdout.write(
                f"{u['unit']}\tnay {u['total_now']:.2f}\tcuối kỳ {u['total_at_period_end']:.2f}\t"
                f"có nguy cơ mất {u['points_at_risk']:.2f}\n"
            )
        for item in payload["items"][:limit]:
            hours = "—" if item["working_hours_left"] is None else f"{item['working_hours_left']:.1f} giờ"
            sys.stdout.write(
                f"  {item['record']}\t{','.join(item['indicators'])}\t{item['points']:.3f} điểm\t"
                f"hạn {item['deadline'] or '—'}\tcòn {hours}\n"
            )
