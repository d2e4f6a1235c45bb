"""Raw sample lines covering every file and field kind of the exchange format."""

RAW = {
    "units": [
        {"MaDonVi": "H44", "TenDonVi": "Tỉnh Quảng Bình", "LoaiDonVi": "TINH"},
        {
            "MaDonVi": "H44.12.01",
            "TenDonVi": "Xã Đồng Trạch",
            "MaDonViCha": "H44",
            "LoaiDonVi": "XA",
            "CungCapChungThucDienTu": True,
            "HieuLucTu": "2025-07-01",
            "HieuLucDen": None,
        },
    ],
    "procedures": [
        {
            "MaTTHC": "1.001234",
            "TenTTHC": "Cấp giấy phép xây dựng",
            "MaLinhVuc": "XD",
            "TenLinhVuc": "Xây dựng",
            "CapThucHien": ["TINH", "XA"],
            "DonViThucHien": ["H44.12.01"],
            "ThoiGianGiaiQuyet": 0.5,
            "DonViTinh": "ngay_lam_viec",
            "CoPhiLePhi": True,
            "KetQuaGiay": True,
            "DoiTuongThucHien": ["Công dân Việt Nam", "Doanh nghiệp"],
            "DuDieuKienToanTrinh": True,
            "DayDuBayBoPhan": False,
            "TrangThaiCongKhai": "dang_cong_khai",
            "GioChotTiepNhan": "15:00",
        },
        {"MaTTHC": "2.000001", "ThoiGianGiaiQuyet": 15, "DonViTinh": "ngay"},
    ],
    "online_services": [
        {
            "MaDVC": "DVC-1",
            "MaTTHC": "1.001234",
            "MaDonVi": "H44.12.01",
            "MucDo": "toan_trinh",
            "TrangThai": "dang_cong_khai",
            "HieuLucTu": "2026-01-01",
        }
    ],
    "publications": [
        {
            "SoQuyetDinh": "123/QĐ-UBND",
            "MaDonVi": "H44",
            "NgayQuyetDinh": "2026-02-10",
            "Loai": "them_moi",
            "DanhSachTTHC": [
                {
                    "MaTTHC": "1.001234",
                    "NgayHieuLucCanCu": "2026-03-01",
                    "NgayCongKhai": "2026-02-12T09:30:00+07:00",
                },
                {"MaTTHC": "2.000001", "NgayHieuLucCanCu": "2026-03-01"},
            ],
        }
    ],
    "dossiers": [
        {
            "MaHoSo": "H44.12.01-260315-0001",
            "MaTTHC": "1.001234",
            "MaDVC": "DVC-1",
            "MaDonVi": "H44.12.01",
            "KenhThucHien": 2,
            "NgayNopHoSo": "2026-03-15T09:12:33+07:00",
            "NgayTiepNhan": "2026-03-15T10:02:00+07:00",
            "NgayHenTra": "2026-03-22T17:00:00+07:00",
            "NguonHoSo": "dvcqg",
            "TrangThaiHoSo": 10,
            "LichSuTrangThai": [
                {"TrangThai": 1, "ThoiDiem": "2026-03-15T09:12:33+07:00"},
                {"TrangThai": 2, "ThoiDiem": "2026-03-15T10:02:00+07:00"},
                {"TrangThai": 4, "ThoiDiem": "2026-03-15T10:02:00+07:00"},
                {"TrangThai": 10, "ThoiDiem": "2026-03-20T15:00:00.250000+07:00"},
            ],
            "DanhSachHoSoBoSung": [
                {
                    "NgayYeuCau": "2026-03-16T08:00:00+07:00",
                    "NgayBoSung": "2026-03-17T09:00:00+07:00",
                },
                {"NgayYeuCau": "2026-03-18T08:00:00+07:00"},
            ],
            "DanhSachLePhi": [{"MaPhiLePhi": "LP01", "TenPhiLePhi": "Lệ phí", "Gia": 50000}],
            "DuocThanhToanTrucTuyen": 1,
            "NgayThanhToan": "2026-03-15T09:15:00+07:00",
            "TaiLieuNop": [{"MaThanhPhanHoSo": "TP1", "CoTepDinhKem": True, "DuocSoHoa": True, "GhiChu": "x"}],
            "HoSoCoThanhPhanSoHoa": True,
            "MaKetQua": "KQ-1",
            "DuongDanTepTinKetQua": "https://example.vn/kq/1.pdf",
            "NgayCoKetQua": "2026-03-20T15:00:00+07:00",
            "KetQuaDayVaoKho": True,
            "TaiKhoanDuocXacThucVoiVNeID": True,
            "NgayDongBo": "2026-03-15T09:13:00+07:00",
            "KhongHaiLong": False,
            "TenNguoiNop": 'Nguyễn Văn A, "Ba"\nxuống dòng',
            "MaHoSoCu": "EGOV-77",
        },
        {"MaHoSo": "H44-0002", "MaTTHC": "2.000001", "MaDonVi": "H44", "KenhThucHien": 1},
    ],
    "complaints": [
        {
            "MaPAKN": "PA-1",
            "MaDonVi": "H44",
            "MaHoSo": "H44.12.01-260315-0001",
            "PhanLoai": "hanh_vi",
            "NgayGui": "2026-04-01T08:00:00",
            "LichSu": [
                {"TrangThai": "cho_tiep_nhan", "ThoiDiem": "2026-04-01T08:00:00+07:00"},
                {"TrangThai": "chuyen_xu_ly", "ThoiDiem": "2026-04-02T08:00:00+07:00"},
            ],
            "SoThich": 3,
            "SoKhongThich": 5,
        }
    ],
    "reference_counts": [
        {"MaDonVi": "H44", "Ky": "2026-Q1", "SoHoSoBCQG": 120, "SoHoSoDVCQG": 118},
        {"MaDonVi": "H44", "Ky": "2026-08", "SoHoSoBCQG": 40},
    ],
}
