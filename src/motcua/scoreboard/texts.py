"""Plain-language explanations of the 766 indicators (Quyết định 766/QĐ-TTg, cách tính của Cổng DVCQG).

One Vietnamese sentence per indicator code of the ``portal-2026`` formula set,
written for a head of unit rather than an analyst: what is counted on top
(tử số), what below (mẫu số), and how the ratio becomes points. The precise
definitions live in the engine (motcua.index766.formulas.portal_2026) and in
specs/index-766.md §2; these texts paraphrase them and must not contradict them.
"""

from django.utils.translation import gettext_lazy as _

EXPLANATIONS = {
    "1.1": _(
        "Lấy số TTHC có quyết định công bố ký đúng hạn (chậm nhất 5 ngày làm việc trước ngày văn bản căn cứ có "
        "hiệu lực) chia cho số TTHC trong các quyết định công bố ban hành trong kỳ; điểm = 6 × tỷ lệ. Tính cho cả "
        "tỉnh, mọi đơn vị dùng chung kết quả này."
    ),
    "1.2": _(
        "Lấy số TTHC được bấm «công khai» trên CSDL quốc gia trong vòng 5 ngày làm việc kể từ ngày quyết định công "
        "bố chia cho số TTHC công khai hoặc đến hạn công khai trong kỳ; điểm = 4 × tỷ lệ. Tính cho cả tỉnh."
    ),
    "1.3": _(
        "Lấy số TTHC đang công khai có đủ 7 bộ phận theo Nghị định 63/2010 (tên, trình tự, cách thức, thành phần hồ "
        "sơ, thời hạn, đối tượng, cơ quan thực hiện) chia cho số TTHC đang công khai, tính tại ngày đánh giá; "
        "điểm = 2 × tỷ lệ."
    ),
    "1.4": _(
        "Lấy số hồ sơ tiếp nhận trong kỳ đã đồng bộ lên Cổng DVCQG chia cho số hồ sơ tiếp nhận trong kỳ; "
        "điểm = 6 × tỷ lệ. Hồ sơ chưa đồng bộ làm mất điểm cả chỉ số này và chỉ số 3.3."
    ),
    "2.1": _(
        "Lấy số hồ sơ giải quyết trước hạn, đúng hạn và hồ sơ đang giải quyết còn trong hạn chia cho tổng số hồ sơ "
        "tiếp nhận trong kỳ và kỳ trước chuyển sang; điểm = 20 × tỷ lệ. Hồ sơ yêu cầu bổ sung quá một lần bị tính "
        "là quá hạn; thời gian chờ công dân bổ sung được trừ ra."
    ),
    "2.2": _(
        "Số ngày làm việc trung bình để giải quyết xong một hồ sơ (tiếp nhận trong kỳ); chỉ để theo dõi, "
        "không tính điểm."
    ),
    "3.1": _(
        "Lấy số TTHC thuộc thẩm quyền có cung cấp dịch vụ công trực tuyến (một phần hoặc toàn trình) chia cho tổng "
        "số TTHC thuộc thẩm quyền; đạt từ 80% trở lên được đủ 2 điểm, dưới 80% được 2 × tỷ lệ / 80%."
    ),
    "3.2": _(
        "Lấy số dịch vụ công trực tuyến có ít nhất một hồ sơ nộp trực tuyến trong kỳ chia cho số dịch vụ công "
        "trực tuyến của đơn vị; điểm = 4 × tỷ lệ."
    ),
    "3.3": _(
        "Lấy số hồ sơ nộp trực tuyến chia cho tổng số hồ sơ tiếp nhận trong kỳ, rồi nhân với tỷ lệ đồng bộ (1.4); "
        "đạt từ 50% trở lên được đủ 6 điểm, dưới 50% được 6 × tỷ lệ / 50%. TTHC trả kết quả giấy chỉ tính là trực "
        "tuyến khi có kết quả điện tử."
    ),
    "3.5": _(
        "Lấy số TTHC có phí, lệ phí có ít nhất một hồ sơ trong kỳ đồng bộ khoản phí khác 0 chia cho số TTHC có "
        "phí, lệ phí; đạt từ 80% trở lên được đủ 2 điểm."
    ),
    "3.5b": _(
        "Lấy số TTHC có phí, lệ phí có ít nhất một giao dịch thanh toán trực tuyến thành công trong kỳ chia cho số "
        "TTHC có phí, lệ phí; đạt từ 80% trở lên được đủ 2 điểm."
    ),
    "3.6": _(
        "Lấy số hồ sơ đã thanh toán phí, lệ phí trực tuyến chia cho số hồ sơ phải nộp phí, lệ phí trong kỳ "
        "(không tính hồ sơ được miễn, mọi khoản phí bằng 0); điểm = 6 × tỷ lệ."
    ),
    "4.1": _(
        "Lấy số hồ sơ có kết quả giải quyết điện tử (có đường dẫn tệp kết quả) chia cho số hồ sơ trong kỳ; "
        "điểm = 6 × tỷ lệ."
    ),
    "4.2": _(
        "Lấy số hồ sơ có thành phần hồ sơ được đính kèm tệp số hóa (và có kết quả điện tử nếu TTHC trả kết quả "
        "giấy) chia cho số hồ sơ trong kỳ; điểm = 4 × tỷ lệ."
    ),
    "4.3": _(
        "Lấy số hồ sơ có thành phần được khai thác, sử dụng lại từ dữ liệu đã số hóa chia cho số hồ sơ trong kỳ; "
        "đạt từ 80% trở lên được đủ 2 điểm."
    ),
    "4.4": _(
        "Lấy số hồ sơ có thành phần lấy từ kho dữ liệu của công dân, doanh nghiệp trên Cổng DVCQG (hoặc kết quả "
        "được đẩy vào kho) chia cho số hồ sơ trong kỳ; điểm = 4 × tỷ lệ."
    ),
    "4.5a": _(
        "Lấy số TTHC dành cho công dân có ít nhất một hồ sơ xác thực VNeID hoặc dùng dữ liệu dân cư chia cho số "
        "TTHC dành cho công dân; điểm = 2 × tỷ lệ."
    ),
    "4.5b": _(
        "Lấy số hồ sơ xác thực bằng VNeID hoặc có sử dụng Cơ sở dữ liệu quốc gia về dân cư chia cho số hồ sơ "
        "trong kỳ; điểm = 2 × tỷ lệ."
    ),
    "4.6": _(
        "Lấy số xã, phường trực thuộc có cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính chia cho số xã, "
        "phường trực thuộc; điểm = 2 × tỷ lệ."
    ),
    "5.1a": _("Tỷ lệ phản ánh, kiến nghị về quy định, thủ tục hành chính trên tổng số PAKN trong kỳ; chỉ theo dõi."),
    "5.1b": _("Tỷ lệ phản ánh, kiến nghị về hành vi của cán bộ, công chức trên tổng số PAKN trong kỳ; chỉ theo dõi."),
    "5.2": _(
        "Lấy số phản ánh, kiến nghị xử lý đúng hạn hoặc còn trong hạn (từ chối trong 2 ngày, yêu cầu bổ sung trong "
        "5 ngày, xử lý trong 15 ngày, công khai trả lời trong 2 ngày làm việc) chia cho số PAKN trong kỳ; điểm = 6 × "
        "tỷ lệ. Đơn vị không có PAKN được đủ 6 điểm."
    ),
    "5.3": _(
        "Lấy số PAKN tiếp nhận lần đầu trong kỳ, trừ PAKN bị đánh giá không hài lòng, xử lý trễ hạn hoặc bị phản ánh "
        "lại, chia cho số PAKN tiếp nhận lần đầu trong kỳ; điểm = 6 × tỷ lệ. Không có PAKN được đủ 6 điểm."
    ),
    "5.4": _(
        "Lấy số hồ sơ trong kỳ trừ hồ sơ quá hạn và hồ sơ bị phản ánh hoặc đánh giá không hài lòng, chia cho số hồ "
        "sơ trong kỳ; đạt từ 90% trở lên được đủ 6 điểm, dưới 90% được 6 × tỷ lệ / 90%."
    ),
}


def explanation(code: str) -> str:
    """The sentence for ``code``; the engine's own description when a new indicator has none yet."""
    text = EXPLANATIONS.get(code)
    if text is not None:
        return str(text)
    from .services import formula_set

    try:
        return formula_set().get(code).description
    except KeyError:
        return ""
