"""Fills locale/zh_Hans/LC_MESSAGES/django.po from the glossary below, then compiles it.

Run after `manage.py makemessages -l zh_Hans --no-location --ignore=.venv --ignore=tests`:
    .venv/bin/python locale/fill_zh.py
Untranslated strings are listed so none slips through; the .mo is committed.
"""

import ast
import subprocess
import sys
from pathlib import Path

PO = Path(__file__).parent / "zh_Hans" / "LC_MESSAGES" / "django.po"

GLOSSARY = {
    # stats: API, dashboard, workbooks, models
    "Statistics": "统计",
    "Required; allowed values: {allowed}.": "必填；允许的值：{allowed}。",
    "Claims statistics": "售后统计",
    "Orders": "单数",
    "In progress": "进行中",
    "Finished": "已完成",
    "Cancelled": "已取消",
    "Compensation": "赔偿金额",
    "Deducted": "扣款合计",
    "(none)": "（无）",
    "(any)": "（不限）",
    "Scope": "统计范围",
    "Filed from": "创建日期起",
    "Filed until": "创建日期止",
    "Exported at": "导出时间",
    "Per month": "按月",
    "Month": "月份",
    "Defendants": "被告供应商",
    "Defendant supplier": "被告供应商",
    "Abnormality types": "异常类型",
    "Abnormality type": "异常类型",
    "Time per step": "各环节用时",
    "Step": "环节",
    "Completed stays": "完成次数",
    "Median (hours)": "中位数（小时）",
    "90th percentile (hours)": "90% 分位（小时）",
    "Show": "查询",
    "All dates": "全部日期",
    "Export XLSX": "导出 XLSX",
    "View": "查看",
    "Claims per month, by outcome": "每月售后单（按处理结果）",
    "Top 10 defendants by claims": "被投诉单数前 10 的供应商",
    "Top 10 defendants by compensation": "赔偿金额前 10 的供应商",
    "Time per step (completed stays)": "各环节用时（已完成的停留）",
    "month": "月份",
    "order figures": "订单统计数据",
    "stay in a status": "状态停留",
    "stays in a status": "状态停留",
    "seconds": "秒数",
    "stays per month": "每月停留统计",
    "length (0.1 h)": "时长（0.1 小时）",
    "stays": "次数",
    # orders/exceptions.py (its default messages, so that the catalogue has no gaps)
    "The request cannot be carried out.": "无法执行此请求。",
    "You may not do this.": "您无权执行此操作。",
    "The file is too large.": "文件过大。",
    "This type of file is not accepted.": "不接受此类型的文件。",
    # api.py
    "This operation is not allowed in the order's current state.": "当前订单状态不允许此操作。",
    "The order was changed by someone else; reload it and try again.": "订单已被他人修改，请刷新后重试。",
    "This Idempotency-Key was already used with a different request.": "此 Idempotency-Key 已用于另一个不同的请求。",
    "The request body is too large.": "请求体过大。",
    "Invalid input.": "输入有误。",
    "Malformed request body.": "请求体格式错误。",
    "Method not allowed.": "不允许的请求方法。",
    "Unsupported media type; send application/json.": "不支持的媒体类型，请发送 application/json。",
    "Too many requests; slow down.": "请求过于频繁，请稍后再试。",
    "Internal server error; the request id identifies it in the log.": "服务器内部错误；可凭请求编号在日志中查找。",
    "Malformed JSON: %(reason)s": "JSON 格式错误：%(reason)s",
    "Must be an integer ≥ %(low)d.": "必须是不小于 %(low)d 的整数。",
    "Must be an integer from %(low)d to %(high)d.": "必须是 %(low)d 到 %(high)d 之间的整数。",
    "Simplified Chinese": "简体中文",
    "English": "英文",
    # apps
    "After-sales orders": "售后单",
    "Product catalogue": "产品目录",
    "Suppliers": "供应商",
    # validation
    "“%(value)s” is not allowed; allowed values: %(allowed)s.": "“%(value)s” 不是允许的值；允许的值：%(allowed)s。",
    "“{input}” is not allowed; allowed values: {allowed}.": "“{input}” 不是允许的值；允许的值：{allowed}。",
    "1 to 255 printable ASCII characters without spaces.": "1 到 255 个可打印 ASCII 字符，不含空格。",
    "The abnormality description may not be blank.": "异常描述不能为空。",
    "You may not change this order.": "您无权修改此订单。",
    "No active supplier is named “%(name)s”.": "没有名为“%(name)s”的有效供应商。",
    "No active user is named “%(name)s”.": "没有名为“%(name)s”的有效用户。",
    "SKU code “%(sku)s” is not in the product catalogue.": "物料编号“%(sku)s”不在产品目录中。",
    "No line %(id)s on this order.": "此订单没有编号为 %(id)s 的明细。",
    "“%(op)s” is not allowed while the order is %(status)s / %(wf)s.": "订单处于 %(status)s / %(wf)s 时不允许“%(op)s”操作。",
    "Your role may not apply “%(op)s” at this step.": "您的角色不能在此步骤执行“%(op)s”。",
    "A reject needs a reason.": "驳回必须填写原因。",
    "The order is %(status)s now, not %(expected)s; reload it.": "订单当前状态为 %(status)s，而不是 %(expected)s，请刷新。",
    "Records can only change while the order is in progress and not finished (now %(status)s / %(wf)s).": "只有进行中且未结束的订单才能修改明细（当前 %(status)s / %(wf)s）。",
    "Header fields can only change while the order is in progress and created, waiting or service_approving.": "只有进行中且处于已创建、等待提交或等待售后专员审核状态的订单才能修改基本信息。",
    "Only an order that is in progress and still created or waiting can be deleted.": "只有进行中且处于已创建或等待提交状态的订单才能删除。",
    "Step older than %(hours)d hours.": "当前步骤已超过 %(hours)d 小时。",
    "“%(value)s” is not a value of %(list)s; allowed: %(allowed)s.": "“%(value)s” 不在 %(list)s 选项中；允许的值：%(allowed)s。",
    "A request with this Idempotency-Key is still being processed; retry later.": "使用此 Idempotency-Key 的请求仍在处理中，请稍后重试。",
    # reasons
    "finished goods": "成品",
    "materials": "材料",
    "other": "其它",
    # order fields
    "serial number": "订单序列号",
    "charge number": "扣款单序列号",
    "order type": "订单类型",
    "defendant supplier": "被告供应商",
    "defendant supplier name": "被告供应商名称",
    "plaintiff supplier": "原告供应商",
    "plaintiff supplier name": "原告供应商名称",
    "creator": "创建人",
    "creator name": "创建人名称",
    "after-sales specialist": "售后专员",
    "specialist name": "售后专员名称",
    "status": "状态",
    "workflow status": "流程状态",
    "step started at": "当前步骤开始于",
    "submitted at": "提交于",
    "abnormality description": "异常描述",
    "reason": "原因",
    "deleted": "已删除",
    "deleted at": "删除于",
    "created at": "创建于",
    "updated at": "更新于",
    "after-sales order": "售后单",
    "after-sales orders": "售后单",
    "product": "产品",
    "SKU code": "物料编号",
    "product item name": "产品名称",
    "abnormal product": "异常产品",
    "abnormal products": "异常产品",
    "abnormality type": "异常类型",
    "cause of responsibility": "责任原因",
    "penalty": "违约处罚",
    "responsible party": "责任产生方",
    "compensation": "扣款金额",
    "responsible unit": "责任单位",
    "responsible supplier": "责任单位（供应商）",
    "duty decided on": "责任判定日期",
    "duty report": "责任报告",
    "duty reports": "责任报告",
    "follow-up note": "跟踪记录",
    "operator": "操作人",
    "operator name": "操作人名称",
    "follow-up": "售后跟踪",
    "follow-ups": "售后跟踪",
    "penalty amount": "处罚金额",
    "invoiced": "是否开票",
    "remark": "备注",
    "deduction": "扣款单",
    "deductions": "扣款单",
    "operation": "操作",
    "from status": "原状态",
    "to status": "新状态",
    "from workflow status": "原流程状态",
    "to workflow status": "新流程状态",
    "time": "时间",
    "journal entry": "流程记录",
    "journal": "流程记录",
    "list": "选项列表",
    "value": "值",
    "position": "排序",
    "active": "启用",
    "option value": "选项值",
    "option values": "选项值",
    "running": "处理中",
    "done": "已完成",
    "idempotency key": "幂等键",
    "idempotency keys": "幂等键",
    # statuses
    "created": "已创建",
    "waiting for submission": "等待提交",
    "awaiting specialist review": "等待售后专员审核",
    "specialist reviewed": "售后专员已审核",
    "awaiting manager approval": "等待负责人审批",
    "manager approved": "负责人已审批",
    "awaiting chief approval": "等待主管审批",
    "chief approved": "主管已审批",
    "awaiting finance approval": "等待财务审批",
    "finance approved (end)": "财务已审批（结束）",
    "halted": "暂停",
    "in progress": "进行中",
    "cancelled": "已取消",
    "overdue": "已过期",
    "done (next step)": "完成（下一步）",
    "reject (previous step)": "驳回（上一步）",
    "halt": "暂停",
    "resume": "恢复",
    "cancel": "取消",
    "create": "创建",
    "delete": "删除",
    "manager": "负责人",
    "chief": "主管",
    "finance": "财务",
    # products / suppliers
    "item name": "产品名称",
    "item code": "产品编码",
    "SKU name": "规格名称",
    "image path": "图片路径",
    "products": "产品",
    "name": "名称",
    "category": "类别",
    "logistics supplier": "物流供应商",
    "supplier": "供应商",
    "suppliers": "供应商",
    "Activated %(count)d %(noun)s.": "已启用 %(count)d 个%(noun)s。",
    "Deactivated %(count)d %(noun)s.": "已停用 %(count)d 个%(noun)s。",
    "Deactivate selected %(verbose_name_plural)s": "停用所选%(verbose_name_plural)s",
    "Activate selected %(verbose_name_plural)s": "启用所选%(verbose_name_plural)s",
    # admin (back office)
    "SKU codes": "SKU 编码",
    "duty report compensation": "责任报告扣款金额",
    "deductions total": "扣款合计",
    "Empty: the defendant supplier's specialist.": "留空：使用被告供应商的售后专员。",
    "note": "备注",
    "reason for the reject": "驳回原因",
    "Claim": "售后单信息",
    "Dates": "时间",
    "Workflow": "审批流程",
    "Note for the journal (a reject needs its reason here)": "流程备注（驳回时须在此填写原因）",
    "No workflow operation is open to you at this step.": "当前步骤没有您可执行的流程操作。",
    "Write why the order goes back a step; the reason is kept in the journal.": "请填写退回上一步的原因，原因将记入流程记录。",
    "Back to the order": "返回售后单",
    "That operation is not open to you at this step.": "当前步骤您不能执行该操作。",
    "“%(operation)s” applied to %(order)s; it is now %(status)s / %(workflow_status)s.": "已对 %(order)s 执行“%(operation)s”，当前状态：%(status)s / %(workflow_status)s。",
    "Export CSV": "导出 CSV",
    "Export selected orders as CSV": "将所选售后单导出为 CSV",
    "Resume selected overdue orders": "恢复所选已过期售后单",
    "Resumed orders: %(count)d.": "已恢复售后单：%(count)d 个。",
    "Not overdue, left alone: %(count)d.": "未过期、未处理：%(count)d 个。",
    "%(order)s was not resumed: %(error)s": "%(order)s 未能恢复：%(error)s",
    "Not found.": "未找到。",
    "CSRF check failed.": "CSRF 校验失败。",
    "JSON nested deeper than %(depth)d levels.": "JSON 嵌套超过 %(depth)d 层。",
    "Invalid token.": "认证令牌无效。",
    "User inactive or deleted.": "用户未激活或已删除。",
    "Yes": "是",
    "No": "否",
    "Home": "首页",
}


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line if line.startswith('"') else line.split(" ", 1)[1]) for line in lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> int:
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    missing = []
    out = []
    for block in blocks:
        lines = block.split("\n")
        msgid_at = next((i for i, line in enumerate(lines) if line.startswith("msgid ")), None)
        msgstr_at = next((i for i, line in enumerate(lines) if line.startswith("msgstr ")), None)
        if msgid_at is None or msgstr_at is None:
            out.append(block)
            continue
        msgid = _unquote(lines[msgid_at:msgstr_at])
        if not msgid:  # header
            out.append(block)
            continue
        lines = [_unfuzzy(line) for line in lines if not line.startswith("#| ")]  # no guesses, no old msgids
        lines = [line for line in lines if line != "#,"]
        msgstr_at = next(i for i, line in enumerate(lines) if line.startswith("msgstr "))
        if msgid in GLOSSARY:
            lines = [*lines[:msgstr_at], "msgstr " + _quote(GLOSSARY[msgid])]
        else:
            missing.append(msgid)
        out.append("\n".join(lines))
    PO.write_text("\n\n".join(out), encoding="utf-8")
    subprocess.run(["msgfmt", "--check-format", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)  # noqa: S603, S607
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


def _unfuzzy(line: str) -> str:
    """A flags line without `fuzzy` ("#, fuzzy, python-format" → "#, python-format")."""
    if not line.startswith("#,"):
        return line
    return "#," + ",".join(flag for flag in line[2:].split(",") if flag.strip() != "fuzzy")


if __name__ == "__main__":
    sys.exit(main())
