"""The public pages: one module per part (catalogue and embed, tracking and rating, kiosk, the leaders'
follow-up list, published complaint answers)."""
