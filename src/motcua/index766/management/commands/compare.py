import sys

from motcua.core.commands import MotcuaCommand


class Command(MotcuaCommand):
    help = (
        "So sánh kết quả đã lưu (motcua score --store) với số liệu chính thức của Cổng DVCQG (CSV: MaDonVi, Ky, "
        "MaChiSo, TuSo, MauSo, Diem). / Compare stored tuples with the portal's official numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument("portal_csv", help="Tệp CSV số liệu của Cổng / the portal's numbers")
        parser.add_argument("--tolerance", type=float, default=0.005, help="Sai lệch cho phép / allowed difference")

    def handle(self, portal_csv, tolerance, **options):
        from motcua.index766.snapshots import compare_with_portal

        differences = compare_with_portal(portal_csv, tolerance=tolerance)
        for d in differences:
            ours = "chưa tính" if d.ours is None else f"{d.ours:g}"
            portal = "trống" if d.portal is None else f"{d.portal:g}"
            sys.stdout.write(f"{d.unit}\t{d.period}\t{d.indicator}\t{d.field}\tmotcua={ours}\tcổng={portal}\n")
        self.stderr.write(f"{len(differences)} chênh lệch.")
