"""Official forms of Thông tư 03/2025/TT-VPCP (Phụ lục I) generated as documents.

Public API (see :mod:`motcua.documents.services`): ``render_pdf(kind, dossier, **context)``,
one named helper per form, ``tracking_book_xlsx`` and ``pdf_response`` for views.
"""
