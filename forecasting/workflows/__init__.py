"""Operations that span packages: warming every cache (``fit``) and refreshing the raw data
(``update-data``: fetch and check through ``sources``, then re-derive the headline and refit).
May import every package except ``cli``; nothing but ``cli`` imports it."""
