"""The systems tables show and read back exponential delays (issue 13) instead of dropping them."""

from __future__ import annotations

from studio.scenario import tables


def test_exponential_delay_text_round_trips() -> None:
    delay = {"dist": "exponential", "mean": "PT4H"}
    assert tables.format_delay(delay) == "exp PT4H"
    assert tables.parse_delay("exp PT4H") == delay
    assert tables.parse_delay(" EXP pt90m ") == {"dist": "exponential", "mean": "PT90M"}
