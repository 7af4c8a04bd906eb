"""Text rules every stage shares, each defined once: which Chinese script a
language tag names (``script``), the character classes of Chinese text
(``chars``) and the text of HTML outside code (``markup``)."""
