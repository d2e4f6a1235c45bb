"""Vietnamese vocabularies for the synthetic province of ``motcua generate``.

Everything here is invented or generic: the province, its communes and every
person are fictitious. Procedure names follow the wording of the national TTHC
catalogue (CSDL quốc gia về TTHC) closely enough to look familiar to officials.
"""

from __future__ import annotations

PROVINCE_CODE = "H44"
PROVINCE_NAME = "Tỉnh Lam Giang"
PORTAL_HOST = "dvc.lamgiang.gov.vn"

# (key, name, relative dossier volume). The key links fields to departments.
DEPARTMENTS: list[tuple[str, str, float]] = [
    ("TP", "Sở Tư pháp", 1.2),
    ("YT", "Sở Y tế", 0.8),
    ("CT", "Sở Công Thương", 0.6),
    ("XD", "Sở Xây dựng", 2.4),
    ("NNMT", "Sở Nông nghiệp và Môi trường", 1.8),
    ("TC", "Sở Tài chính", 1.6),
    ("GD", "Sở Giáo dục và Đào tạo", 0.6),
    ("VH", "Sở Văn hóa, Thể thao và Du lịch", 0.4),
    ("NV", "Sở Nội vụ", 1.0),
    ("KHCN", "Sở Khoa học và Công nghệ", 0.3),
    ("DTTG", "Sở Dân tộc và Tôn giáo", 0.1),
    ("NGV", "Sở Ngoại vụ", 0.05),
    ("CA", "Công an tỉnh", 0.7),
    ("KCN", "Ban Quản lý các khu công nghiệp", 0.35),
    ("TT", "Thanh tra tỉnh", 0.05),
    ("VP", "Văn phòng Ủy ban nhân dân tỉnh", 0.05),
    ("KKT", "Ban Quản lý Khu kinh tế", 0.15),
    ("BHXH", "Bảo hiểm xã hội tỉnh", 0.2),
    ("THUE", "Thuế tỉnh", 0.2),
]

# Fields (lĩnh vực): code, name, department key, level mix (share at commune
# level), dossier volume weight, name templates and objects. A procedure name is
# template.format(o=object); the cross product gives the field's catalogue.
FIELDS: list[dict] = [
    {
        "code": "G09-TP01", "name": "Hộ tịch", "dept": "TP", "xa": 0.8, "weight": 9.0,
        "templates": ["Đăng ký {o}", "Đăng ký lại {o}", "Đăng ký {o} lưu động",
                      "Cấp bản sao trích lục {o}", "Liên thông thủ tục đăng ký {o}"],
        "objects": ["khai sinh", "kết hôn", "khai tử", "nhận cha, mẹ, con", "giám hộ",
                    "chấm dứt giám hộ", "khai sinh có yếu tố nước ngoài",
                    "kết hôn có yếu tố nước ngoài", "khai tử có yếu tố nước ngoài",
                    "thay đổi, cải chính, bổ sung thông tin hộ tịch",
                    "xác định lại dân tộc", "nhận cha, mẹ, con có yếu tố nước ngoài"],
    },
    {
        "code": "G09-TP02", "name": "Chứng thực", "dept": "TP", "xa": 0.7, "weight": 12.0,
        "templates": ["Chứng thực {o}", "Cấp bản sao có chứng thực {o}",
                      "Chứng thực điện tử {o}"],
        "objects": ["bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
                    "chữ ký trong các giấy tờ, văn bản", "chữ ký người dịch",
                    "hợp đồng, giao dịch liên quan đến tài sản là động sản",
                    "hợp đồng, giao dịch liên quan đến thực hiện quyền của người sử dụng đất",
                    "hợp đồng, giao dịch về nhà ở", "di chúc", "văn bản thỏa thuận phân chia di sản",
                    "văn bản khai nhận di sản", "việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
                    "bản sao từ bản chính giấy tờ do cơ quan nước ngoài cấp"],
    },
    {
        "code": "G09-TP03", "name": "Lý lịch tư pháp", "dept": "TP", "xa": 0.0, "weight": 3.0,
        "templates": ["Cấp Phiếu lý lịch tư pháp {o}", "Cấp lại Phiếu lý lịch tư pháp {o}"],
        "objects": ["cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
                    "cho cơ quan tiến hành tố tụng", "cho cơ quan nhà nước, tổ chức chính trị - xã hội",
                    "qua ứng dụng định danh điện tử VNeID", "cho người được ủy quyền"],
    },
    {
        "code": "G09-TP04", "name": "Luật sư, công chứng, đấu giá tài sản", "dept": "TP",
        "xa": 0.0, "weight": 0.3,
        "templates": ["Đăng ký hoạt động của {o}", "Thay đổi nội dung đăng ký hoạt động của {o}",
                      "Thành lập {o}", "Chấm dứt hoạt động của {o}", "Cấp lại giấy đăng ký hoạt động của {o}"],
        "objects": ["văn phòng công chứng", "tổ chức hành nghề luật sư", "doanh nghiệp đấu giá tài sản",
                    "trung tâm trọng tài", "văn phòng thừa phát lại", "tổ chức giám định tư pháp",
                    "trung tâm tư vấn pháp luật", "tổ chức hòa giải thương mại"],
    },
    {
        "code": "G09-NM01", "name": "Đất đai", "dept": "NNMT", "xa": 0.35, "weight": 7.0,
        "templates": ["Đăng ký {o}", "Cấp đổi Giấy chứng nhận quyền sử dụng đất khi {o}",
                      "Đăng ký biến động đất đai khi {o}", "Giải quyết thủ tục {o}"],
        "objects": ["chuyển nhượng quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
                    "thừa kế, tặng cho quyền sử dụng đất", "thế chấp quyền sử dụng đất",
                    "xóa đăng ký thế chấp", "chuyển mục đích sử dụng đất", "tách thửa hoặc hợp thửa đất",
                    "gia hạn sử dụng đất ngoài khu công nghệ cao", "đính chính Giấy chứng nhận đã cấp",
                    "đất đai lần đầu", "thay đổi thông tin người sử dụng đất", "giao đất, cho thuê đất",
                    "thu hồi đất", "hòa giải tranh chấp đất đai", "cung cấp thông tin, dữ liệu đất đai"],
    },
    {
        "code": "G09-NM02", "name": "Môi trường", "dept": "NNMT", "xa": 0.1, "weight": 0.6,
        "templates": ["Cấp {o}", "Cấp lại {o}", "Điều chỉnh {o}", "Thẩm định {o}"],
        "objects": ["giấy phép môi trường", "báo cáo đánh giá tác động môi trường",
                    "đăng ký môi trường", "giấy phép xử lý chất thải nguy hại",
                    "kế hoạch bảo vệ môi trường", "phương án cải tạo, phục hồi môi trường"],
    },
    {
        "code": "G09-NM03", "name": "Tài nguyên nước, khoáng sản", "dept": "NNMT", "xa": 0.0,
        "weight": 0.2,
        "templates": ["Cấp {o}", "Gia hạn, điều chỉnh {o}", "Trả lại {o}", "Chuyển nhượng {o}"],
        "objects": ["giấy phép thăm dò nước dưới đất", "giấy phép khai thác nước mặt",
                    "giấy phép xả nước thải vào nguồn nước", "giấy phép thăm dò khoáng sản",
                    "giấy phép khai thác khoáng sản", "giấy phép khai thác tận thu khoáng sản",
                    "quyền khai thác khoáng sản làm vật liệu xây dựng thông thường"],
    },
    {
        "code": "G09-NM04", "name": "Trồng trọt, bảo vệ thực vật, chăn nuôi và thú y", "dept": "NNMT",
        "xa": 0.15, "weight": 0.8,
        "templates": ["Cấp {o}", "Cấp lại {o}", "Gia hạn {o}", "Thu hồi {o}"],
        "objects": ["giấy chứng nhận đủ điều kiện buôn bán thuốc bảo vệ thực vật",
                    "giấy chứng nhận đủ điều kiện sản xuất phân bón",
                    "giấy chứng nhận đủ điều kiện chăn nuôi",
                    "giấy chứng nhận kiểm dịch động vật vận chuyển ra khỏi địa bàn tỉnh",
                    "chứng chỉ hành nghề thú y", "giấy chứng nhận cơ sở an toàn dịch bệnh động vật",
                    "mã số vùng trồng", "giấy chứng nhận đủ điều kiện an toàn thực phẩm nông lâm thủy sản",
                    "quyết định công nhận cây đầu dòng"],
    },
    {
        "code": "G09-NM05", "name": "Thủy sản, lâm nghiệp, thủy lợi", "dept": "NNMT", "xa": 0.2,
        "weight": 0.5,
        "templates": ["Cấp {o}", "Cấp lại {o}", "Điều chỉnh {o}", "Phê duyệt {o}"],
        "objects": ["giấy phép khai thác thủy sản", "văn bản chấp thuận đóng mới tàu cá",
                    "giấy chứng nhận đăng ký tàu cá", "giấy phép hoạt động trong phạm vi bảo vệ công trình thủy lợi",
                    "phương án quản lý rừng bền vững", "hồ sơ khai thác thực vật rừng",
                    "giấy chứng nhận cơ sở trồng, cấy nhân tạo thực vật rừng", "hỗ trợ đầu tư bảo vệ và phát triển rừng"],
    },
    {
        "code": "G09-XD01", "name": "Hoạt động xây dựng", "dept": "XD", "xa": 0.3, "weight": 2.0,
        "templates": ["Cấp giấy phép xây dựng {o}", "Điều chỉnh giấy phép xây dựng {o}",
                      "Gia hạn giấy phép xây dựng {o}", "Cấp lại giấy phép xây dựng {o}"],
        "objects": ["mới đối với nhà ở riêng lẻ", "đối với công trình cấp III, cấp IV",
                    "sửa chữa, cải tạo công trình", "di dời công trình", "có thời hạn",
                    "đối với công trình tín ngưỡng, tôn giáo", "theo giai đoạn",
                    "đối với công trình quảng cáo", "đối với dự án"],
    },
    {
        "code": "G09-XD02", "name": "Nhà ở, kinh doanh bất động sản, quy hoạch", "dept": "XD",
        "xa": 0.05, "weight": 0.6,
        "templates": ["Cấp {o}", "Cấp lại {o}", "Thẩm định {o}", "Công nhận {o}"],
        "objects": ["chứng chỉ hành nghề môi giới bất động sản", "chứng chỉ hành nghề hoạt động xây dựng hạng II, III",
                    "chứng chỉ năng lực hoạt động xây dựng", "nhiệm vụ quy hoạch chi tiết",
                    "đồ án quy hoạch chi tiết xây dựng", "điều kiện bán nhà ở hình thành trong tương lai",
                    "đối tượng được mua nhà ở xã hội", "báo cáo nghiên cứu khả thi đầu tư xây dựng",
                    "thiết kế xây dựng triển khai sau thiết kế cơ sở"],
    },
    {
        "code": "G09-XD03", "name": "Đường bộ", "dept": "XD", "xa": 0.0, "weight": 4.0,
        "templates": ["Đổi {o}", "Cấp {o}", "Cấp lại {o}", "Thu hồi {o}"],
        "objects": ["giấy phép lái xe do ngành Giao thông vận tải cấp", "giấy phép lái xe quốc tế",
                    "giấy phép kinh doanh vận tải bằng xe ô tô", "phù hiệu xe ô tô kinh doanh vận tải",
                    "giấy phép xe tập lái", "giấy chứng nhận đăng ký xe máy chuyên dùng",
                    "giấy phép lưu hành xe quá tải trọng, xe quá khổ giới hạn",
                    "giấy phép thi công công trình trên đường bộ đang khai thác",
                    "giấy chứng nhận giáo viên dạy thực hành lái xe", "giấy phép đào tạo lái xe ô tô"],
    },
    {
        "code": "G09-TC01", "name": "Thành lập và hoạt động doanh nghiệp", "dept": "TC", "xa": 0.0,
        "weight": 4.0,
        "templates": ["Đăng ký thành lập {o}", "Đăng ký thay đổi nội dung đăng ký {o}",
                      "Thông báo tạm ngừng kinh doanh đối với {o}", "Giải thể {o}",
                      "Cấp lại Giấy chứng nhận đăng ký {o}", "Chuyển đổi loại hình {o}"],
        "objects": ["doanh nghiệp tư nhân", "công ty trách nhiệm hữu hạn một thành viên",
                    "công ty trách nhiệm hữu hạn hai thành viên trở lên", "công ty cổ phần",
                    "công ty hợp danh", "chi nhánh, văn phòng đại diện", "địa điểm kinh doanh",
                    "hợp tác xã", "liên hiệp hợp tác xã"],
    },
    {
        "code": "G09-TC02", "name": "Đầu tư, quản lý công sản, giá", "dept": "TC", "xa": 0.0,
        "weight": 0.4,
        "templates": ["Chấp thuận {o}", "Điều chỉnh {o}", "Thẩm định {o}", "Quyết định {o}"],
        "objects": ["chủ trương đầu tư dự án", "giấy chứng nhận đăng ký đầu tư",
                    "phương án giá tài sản công", "việc thanh lý tài sản công",
                    "dự án đầu tư theo phương thức đối tác công tư", "giá cụ thể đất",
                    "chuyển nhượng dự án đầu tư", "giãn tiến độ đầu tư"],
    },
    {
        "code": "G09-KD01", "name": "Hộ kinh doanh", "dept": "TC", "xa": 1.0, "weight": 3.5,
        "templates": ["{o}"],
        "objects": ["Đăng ký thành lập hộ kinh doanh", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
                    "Tạm ngừng hoạt động hộ kinh doanh", "Chấm dứt hoạt động hộ kinh doanh",
                    "Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh",
                    "Tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh",
                    "Đăng ký hộ kinh doanh do chuyển đổi từ cơ sở kinh doanh cá thể"],
    },
    {
        "code": "G09-YT01", "name": "Khám bệnh, chữa bệnh", "dept": "YT", "xa": 0.0, "weight": 1.5,
        "templates": ["Cấp giấy phép hành nghề {o}", "Cấp lại giấy phép hành nghề {o}",
                      "Điều chỉnh giấy phép hành nghề {o}", "Gia hạn giấy phép hành nghề {o}",
                      "Cấp giấy phép hoạt động {o}"],
        "objects": ["đối với chức danh bác sỹ", "đối với chức danh y sỹ", "đối với chức danh điều dưỡng",
                    "đối với chức danh hộ sinh", "đối với chức danh kỹ thuật y", "đối với lương y",
                    "đối với phòng khám đa khoa", "đối với phòng khám chuyên khoa",
                    "đối với cơ sở dịch vụ y tế"],
    },
    {
        "code": "G09-YT02", "name": "Dược phẩm, mỹ phẩm, an toàn thực phẩm", "dept": "YT", "xa": 0.05,
        "weight": 1.0,
        "templates": ["Cấp {o}", "Cấp lại {o}", "Điều chỉnh {o}"],
        "objects": ["chứng chỉ hành nghề dược", "giấy chứng nhận đủ điều kiện kinh doanh dược cho nhà thuốc",
                    "giấy chứng nhận đủ điều kiện kinh doanh dược cho quầy thuốc",
                    "giấy chứng nhận đủ điều kiện sản xuất mỹ phẩm", "giấy xác nhận nội dung quảng cáo thuốc",
                    "giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
                    "giấy tiếp nhận bản tự công bố sản phẩm", "số tiếp nhận phiếu công bố sản phẩm mỹ phẩm",
                    "giấy phép nhập khẩu trang thiết bị y tế"],
    },
    {
        "code": "G09-YT03", "name": "Y tế dự phòng, dân số", "dept": "YT", "xa": 0.3, "weight": 0.4,
        "templates": ["{o}"],
        "objects": ["Công bố cơ sở đủ điều kiện thực hiện quan trắc môi trường lao động",
                    "Công bố cơ sở xét nghiệm đạt tiêu chuẩn an toàn sinh học cấp I, cấp II",
                    "Cấp giấy chứng nhận bệnh nghề nghiệp", "Khám sức khỏe định kỳ cho người lao động",
                    "Cấp giấy chứng sinh cho trường hợp trẻ sinh ra ngoài cơ sở khám bệnh, chữa bệnh",
                    "Xác nhận đối tượng hưởng chính sách dân số", "Cấp giấy chứng nhận tiêm chủng"],
    },
    {
        "code": "G09-GD01", "name": "Giáo dục và Đào tạo", "dept": "GD", "xa": 0.25, "weight": 1.0,
        "templates": ["Cho phép thành lập {o}", "Cho phép {o} hoạt động giáo dục",
                      "Sáp nhập, chia, tách {o}", "Giải thể {o}", "Công nhận {o} đạt chuẩn quốc gia"],
        "objects": ["trường mầm non", "trường tiểu học", "trường trung học cơ sở",
                    "trường trung học phổ thông", "trường phổ thông dân tộc nội trú",
                    "trung tâm ngoại ngữ, tin học", "trung tâm giáo dục nghề nghiệp - giáo dục thường xuyên",
                    "nhóm trẻ, lớp mẫu giáo độc lập"],
    },
    {
        "code": "G09-GD02", "name": "Văn bằng, chứng chỉ, học sinh", "dept": "GD", "xa": 0.2,
        "weight": 1.0,
        "templates": ["{o}"],
        "objects": ["Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", "Chỉnh sửa nội dung văn bằng, chứng chỉ",
                    "Công nhận văn bằng tốt nghiệp do cơ sở giáo dục nước ngoài cấp",
                    "Chuyển trường đối với học sinh trung học cơ sở", "Chuyển trường đối với học sinh trung học phổ thông",
                    "Xét tuyển học sinh vào trường phổ thông dân tộc nội trú",
                    "Hỗ trợ học tập đối với trẻ mẫu giáo, học sinh dân tộc thiểu số",
                    "Xét cấp học bổng chính sách", "Miễn, giảm học phí", "Đăng ký dự thi cấp chứng chỉ ngoại ngữ"],
    },
    {
        "code": "G09-CT01", "name": "Lưu thông hàng hóa trong nước, điện, hóa chất", "dept": "CT",
        "xa": 0.15, "weight": 1.3,
        "templates": ["Cấp {o}", "Cấp lại {o}", "Cấp sửa đổi, bổ sung {o}"],
        "objects": ["giấy phép bán lẻ rượu", "giấy phép bán buôn rượu", "giấy phép bán lẻ sản phẩm thuốc lá",
                    "giấy phép sản xuất rượu thủ công nhằm mục đích kinh doanh",
                    "giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu",
                    "giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai",
                    "giấy phép hoạt động điện lực", "giấy chứng nhận huấn luyện kỹ thuật an toàn hóa chất",
                    "giấy xác nhận đăng ký thực hiện khuyến mại", "giấy phép thành lập Văn phòng đại diện của thương nhân nước ngoài"],
    },
    {
        "code": "G09-VH01", "name": "Văn hóa, gia đình, thể dục thể thao", "dept": "VH", "xa": 0.3,
        "weight": 0.5,
        "templates": ["Cấp {o}", "Cấp lại {o}", "Điều chỉnh {o}", "Thông báo {o}"],
        "objects": ["giấy phép kinh doanh dịch vụ karaoke", "giấy phép kinh doanh dịch vụ vũ trường",
                    "giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao",
                    "giấy phép tổ chức lễ hội", "giấy phép triển lãm mỹ thuật",
                    "giấy chứng nhận đăng ký hoạt động của cơ sở trợ giúp nạn nhân bạo lực gia đình",
                    "tổ chức biểu diễn nghệ thuật", "giấy phép kinh doanh dịch vụ lữ hành nội địa",
                    "thẻ hướng dẫn viên du lịch", "quyết định công nhận hạng cơ sở lưu trú du lịch"],
    },
    {
        "code": "G09-NV01", "name": "Lao động, việc làm, bảo trợ xã hội", "dept": "NV", "xa": 0.55,
        "weight": 3.0,
        "templates": ["{o}"],
        "objects": ["Giải quyết hưởng trợ cấp thất nghiệp", "Cấp giấy phép lao động cho người lao động nước ngoài",
                    "Xác nhận người lao động nước ngoài không thuộc diện cấp giấy phép lao động",
                    "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng",
                    "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
                    "Tiếp nhận đối tượng bảo trợ xã hội có hoàn cảnh đặc biệt khó khăn vào cơ sở trợ giúp xã hội",
                    "Công nhận hộ nghèo, hộ cận nghèo phát sinh trong năm",
                    "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
                    "Đăng ký nội quy lao động", "Đăng ký thỏa ước lao động tập thể",
                    "Cấp giấy phép hoạt động dịch vụ việc làm", "Hỗ trợ học nghề",
                    "Cấp giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp"],
    },
    {
        "code": "G09-NV02", "name": "Người có công, thi đua khen thưởng, tổ chức hội", "dept": "NV",
        "xa": 0.35, "weight": 1.0,
        "templates": ["{o}"],
        "objects": ["Giải quyết chế độ trợ cấp ưu đãi đối với thân nhân liệt sĩ",
                    "Công nhận và giải quyết chế độ ưu đãi người hoạt động cách mạng",
                    "Cấp giấy chứng nhận thân nhân liệt sĩ", "Di chuyển hồ sơ người có công với cách mạng",
                    "Hỗ trợ người có công đi làm phương tiện, dụng cụ trợ giúp chỉnh hình",
                    "Tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", "Tặng danh hiệu Chiến sĩ thi đua cấp tỉnh",
                    "Công nhận ban vận động thành lập hội", "Phê duyệt điều lệ hội",
                    "Cấp giấy phép thành lập và công nhận điều lệ quỹ xã hội, quỹ từ thiện",
                    "Thẩm định thành lập đơn vị sự nghiệp công lập", "Thi tuyển công chức"],
    },
    {
        "code": "G09-KH01", "name": "Khoa học và công nghệ, viễn thông, báo chí", "dept": "KHCN",
        "xa": 0.0, "weight": 0.3,
        "templates": ["Cấp {o}", "Cấp lại {o}", "Sửa đổi, bổ sung {o}"],
        "objects": ["giấy chứng nhận đăng ký hoạt động khoa học và công nghệ",
                    "giấy chứng nhận doanh nghiệp khoa học và công nghệ",
                    "giấy phép tiến hành công việc bức xạ", "chứng chỉ nhân viên bức xạ",
                    "giấy phép bưu chính", "giấy phép thiết lập mạng viễn thông dùng riêng",
                    "giấy phép xuất bản bản tin", "giấy phép hoạt động in",
                    "giấy chứng nhận đăng ký chuyển giao công nghệ", "giấy phép thiết lập trang thông tin điện tử tổng hợp"],
    },
    {
        "code": "G09-DT01", "name": "Tín ngưỡng, tôn giáo, công tác dân tộc", "dept": "DTTG",
        "xa": 0.4, "weight": 0.2,
        "templates": ["{o}"],
        "objects": ["Đăng ký hoạt động tín ngưỡng", "Đăng ký sinh hoạt tôn giáo tập trung",
                    "Thông báo tổ chức quyên góp trong địa bàn một xã", "Đề nghị tổ chức cuộc lễ ngoài cơ sở tôn giáo",
                    "Đăng ký người được bổ nhiệm, bầu cử, suy cử làm chức việc",
                    "Công nhận tổ chức tôn giáo", "Đề nghị sửa đổi hiến chương của tổ chức tôn giáo",
                    "Công nhận người có uy tín trong đồng bào dân tộc thiểu số",
                    "Hỗ trợ đất ở, nhà ở cho hộ đồng bào dân tộc thiểu số"],
    },
    {
        "code": "G09-NG01", "name": "Ngoại vụ", "dept": "NGV", "xa": 0.0, "weight": 0.05,
        "templates": ["{o}"],
        "objects": ["Cho phép sử dụng thẻ đi lại của doanh nhân APEC", "Cho phép tổ chức hội nghị, hội thảo quốc tế",
                    "Cho phép cán bộ, công chức đi nước ngoài về việc riêng", "Tiếp nhận đoàn vào của tổ chức phi chính phủ nước ngoài",
                    "Xác nhận lãnh sự giấy tờ"],
    },
    {
        "code": "G09-CA01", "name": "An ninh trật tự, phòng cháy chữa cháy", "dept": "CA", "xa": 0.0,
        "weight": 1.5,
        "templates": ["{o}"],
        "objects": ["Cấp giấy chứng nhận đủ điều kiện về an ninh, trật tự để làm ngành, nghề đầu tư kinh doanh có điều kiện",
                    "Thẩm định thiết kế về phòng cháy và chữa cháy", "Nghiệm thu về phòng cháy và chữa cháy",
                    "Đăng ký mẫu con dấu mới", "Đăng ký thêm con dấu", "Cấp giấy phép sử dụng vật liệu nổ công nghiệp",
                    "Cấp giấy phép vận chuyển hàng nguy hiểm", "Cấp giấy phép sử dụng pháo hoa",
                    "Cấp chứng chỉ huấn luyện nghiệp vụ phòng cháy và chữa cháy"],
    },
    {
        "code": "G09-KC01", "name": "Quản lý khu công nghiệp, khu kinh tế", "dept": "KCN", "xa": 0.0,
        "weight": 0.5,
        "templates": ["{o} trong khu công nghiệp", "{o} trong khu kinh tế"],
        "objects": ["Cấp giấy chứng nhận đăng ký đầu tư", "Điều chỉnh giấy chứng nhận đăng ký đầu tư",
                    "Cấp giấy phép lao động cho người lao động nước ngoài làm việc",
                    "Cấp giấy phép xây dựng công trình", "Xác nhận hợp đồng gia công lại",
                    "Cấp giấy chứng nhận xuất xứ hàng hóa", "Cấp giấy phép kinh doanh đối với tổ chức kinh tế có vốn đầu tư nước ngoài"],
    },
    {
        "code": "G09-TT01", "name": "Tiếp công dân, khiếu nại, tố cáo", "dept": "TT", "xa": 0.5,
        "weight": 0.15,
        "templates": ["{o}"],
        "objects": ["Giải quyết khiếu nại lần đầu", "Giải quyết khiếu nại lần hai", "Giải quyết tố cáo",
                    "Tiếp công dân", "Xử lý đơn thư", "Kê khai, xác minh tài sản thu nhập"],
    },
    {
        "code": "G09-BH01", "name": "Bảo hiểm xã hội, bảo hiểm y tế", "dept": "BHXH", "xa": 0.3,
        "weight": 1.0,
        "templates": ["{o}"],
        "objects": ["Cấp lại, đổi, điều chỉnh thông tin trên sổ bảo hiểm xã hội, thẻ bảo hiểm y tế",
                    "Đăng ký tham gia bảo hiểm y tế hộ gia đình", "Giải quyết hưởng chế độ thai sản",
                    "Giải quyết hưởng bảo hiểm xã hội một lần", "Giải quyết hưởng trợ cấp mai táng",
                    "Đăng ký đóng bảo hiểm xã hội tự nguyện", "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"],
    },
    {
        "code": "G09-TH01", "name": "Thuế", "dept": "THUE", "xa": 0.0, "weight": 0.5,
        "templates": ["{o}"],
        "objects": ["Đăng ký thuế lần đầu đối với hộ kinh doanh, cá nhân kinh doanh", "Thay đổi thông tin đăng ký thuế",
                    "Khai lệ phí trước bạ nhà, đất", "Hoàn thuế thu nhập cá nhân",
                    "Miễn, giảm tiền sử dụng đất", "Gia hạn nộp thuế", "Xác nhận nghĩa vụ thuế"],
    },
    {
        "code": "G09-VP01", "name": "Văn phòng, công vụ", "dept": "VP", "xa": 0.0, "weight": 0.05,
        "templates": ["{o}"],
        "objects": ["Cung cấp thông tin theo yêu cầu của công dân", "Cấp bản sao văn bản lưu trữ",
                    "Xác nhận văn bản lưu trữ", "Cấp giấy chứng nhận đăng ký hoạt động lưu trữ"],
    },
]

# Variants that keep names unique when a run asks for more procedures than the
# cross products hold (the national catalogue has the same habit).
NAME_VARIANTS = ["", " (cấp tỉnh)", " (cấp xã)", " đối với trường hợp đặc biệt",
                 " trên môi trường điện tử", " (liên thông)", " đối với tổ chức", " đối với cá nhân"]

SUBJECTS_CITIZEN = ["Công dân Việt Nam"]
SUBJECT_SETS: list[list[str]] = [
    ["Công dân Việt Nam"],
    ["Công dân Việt Nam", "Người Việt Nam định cư ở nước ngoài"],
    ["Công dân Việt Nam", "Người nước ngoài"],
    ["Công dân Việt Nam", "Doanh nghiệp"],
    ["Doanh nghiệp"],
    ["Doanh nghiệp", "Hợp tác xã"],
    ["Tổ chức (không bao gồm doanh nghiệp, HTX)"],
    ["Cán bộ, công chức, viên chức"],
    ["Doanh nghiệp có vốn đầu tư nước ngoài", "Người nước ngoài"],
]

FEE_NAMES = [
    ("LP", "Lệ phí"),
    ("PT", "Phí thẩm định"),
    ("PC", "Phí chứng thực"),
    ("PK", "Phí khai thác, sử dụng thông tin"),
    ("LC", "Lệ phí cấp giấy chứng nhận"),
]
# Realistic fee amounts in VND (lệ phí are small round numbers).
FEE_AMOUNTS = [2_000, 5_000, 8_000, 10_000, 15_000, 20_000, 30_000, 50_000, 100_000, 135_000,
               150_000, 200_000, 300_000, 500_000, 1_000_000, 1_500_000, 3_000_000]

# Commune names: two syllables, as most Vietnamese commune names are.
PLACE_FIRST = ["An", "Bình", "Phú", "Tân", "Hòa", "Long", "Thạnh", "Phước", "Đông", "Tây", "Nam",
               "Bắc", "Vĩnh", "Hưng", "Quang", "Thuận", "Mỹ", "Lộc", "Xuân", "Thanh", "Hiệp",
               "Đức", "Trung", "Kim", "Hải", "Sơn", "Cẩm", "Lạc", "Gia", "Nghĩa", "Yên", "Hồng",
               "Minh", "Định", "Phong", "Tiên", "Hương", "Cát", "Quỳnh", "Diễn"]
PLACE_SECOND = ["An", "Bình", "Hòa", "Lợi", "Phú", "Thịnh", "Lộc", "Thành", "Hưng", "Phước",
                "Điền", "Hải", "Sơn", "Lâm", "Tiến", "Phong", "Xuân", "Trung", "Đông", "Tây",
                "Mỹ", "Khánh", "Thạnh", "Tân", "Hiệp", "Đức", "Quang", "Vinh", "Yên", "Lạc",
                "Thủy", "Hà", "Châu", "Giang", "Nguyên", "Định", "Long", "Cường", "Tường", "Kỳ"]

DISTRICT_NAMES = ["Huyện Lam Sơn", "Huyện Thạch Giang", "Huyện Đồng Lâm", "Thị xã Bến Giang",
                  "Huyện Cao Phong", "Huyện Hòa Vang Thượng", "Thành phố Lam Giang",
                  "Huyện Tiên Lữ Hạ", "Huyện Kim Bảng Đông", "Huyện Ngọc Hồi Tây"]

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
                "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương", "Mai"]
# Weights of family names (Nguyễn is about 38 % of the population).
FAMILY_WEIGHTS = [38, 11, 9.5, 7, 5, 5, 4.5, 3.9, 3.9, 2.1, 2, 1.4, 1.3, 1.3, 1, 0.5, 0.5, 0.5,
                  0.5, 0.5]
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quốc", "Hữu", "Công", "Thành", "Xuân", "Đình", "Ngọc"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Bích", "Mỹ", "Phương", "Hồng", "Diệu"]
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hải", "Hiếu", "Hòa", "Hùng", "Huy",
              "Khang", "Khoa", "Kiên", "Long", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân",
              "Sơn", "Tài", "Thắng", "Thịnh", "Toàn", "Trung", "Tuấn", "Việt", "Vinh"]
GIVEN_FEMALE = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương",
                "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương",
                "Quyên", "Tâm", "Thảo", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Yến"]
COMPANY_WORDS = ["Công ty TNHH", "Công ty Cổ phần", "Hợp tác xã", "Doanh nghiệp tư nhân"]
COMPANY_NAMES = ["Thương mại Lam Giang", "Xây dựng Hưng Phát", "Nông sản Sông Lam", "Dịch vụ An Phú",
                 "Vận tải Minh Quang", "Thực phẩm Xuân Lộc", "Cơ khí Thành Đạt", "Du lịch Cát Tiên",
                 "Dược phẩm Hòa Bình", "Điện máy Phước Thịnh", "Môi trường Xanh", "Đầu tư Kim Long"]
