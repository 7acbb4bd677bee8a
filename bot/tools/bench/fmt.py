"""Numbers and tables as the report and the targets print them ("n/a" for what was not measured)."""
from __future__ import annotations

from typing import Optional, Sequence


def fmt_num(value: Optional[float], digits: int = 0, unit: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def fmt_pct(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def fmt_ratio(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def fmt_met(flag: Optional[bool]) -> str:
    if flag is None:
        return "n/a"
    return "yes" if flag else "**no**"


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub markdown table; '|' inside cells is escaped."""
    lines = ["| " + " | ".join(_escape(h) for h in header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row has {len(row)} cells, header has {len(header)}: {row}")
        lines.append("| " + " | ".join(_escape(str(c)) for c in row) + " |")
    return "\n".join(lines)
