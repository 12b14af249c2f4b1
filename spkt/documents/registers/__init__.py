"""Registers (SOP activity 4): a unit's books of LP, STTLP and SKTLK, filtered and exported.

``selectors`` reads the register from the issued documents (nothing here writes), ``forms`` holds
the filter form of the register page and ``exports`` the CSV and XLSX files, which carry the
masked NIK only: the full NIK is never decrypted for a register. The page is
``documents.register_views``.
"""
