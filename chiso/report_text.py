"""The bilingual verdict text a clerk reads: in the quarantine and from `chiso validate`."""

from __future__ import annotations

STATUS_VI = {
    "accepted": "ĐƯỢC CHẤP NHẬN",
    "rejected": "BỊ TỪ CHỐI",
    "duplicate": "TRÙNG LẶP",
    "superseded": "ĐÃ ĐƯỢC THAY THẾ",
}


def reasons_text(file_name: str, status: str, reasons: list[dict], warnings: list[dict]) -> str:
    lines = [
        f"Tệp / File: {file_name}",
        f"Kết quả / Verdict: {STATUS_VI[status]} / {status.upper()}",
        "",
    ]
    if reasons:
        lines.append(f"Lý do ({len(reasons)}) / Reasons ({len(reasons)}):")
        lines += _items(reasons)
    if warnings:
        lines.append(f"Cảnh báo ({len(warnings)}) / Warnings ({len(warnings)}):")
        lines += _items(warnings)
    if status == "rejected":
        lines.append("Không có số liệu nào của tệp này được nhập. Hãy sửa các lỗi trên và gửi lại tệp.")
        lines.append("Nothing from this file was loaded. Fix the problems above and send the file again.")
    return "\n".join(lines) + "\n"


def _items(items: list[dict]) -> list[str]:
    lines = []
    for number, item in enumerate(items, 1):
        rule = f"quy tắc {item['rule']} / rule {item['rule']}" if item["rule"].isdigit() else item["rule"]
        lines.append(f"  {number}. [{rule}] {item['vi']}")
        lines.append(f"     {item['en']}")
    lines.append("")
    return lines
