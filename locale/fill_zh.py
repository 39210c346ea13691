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
    # orders/exceptions.py
    "The request cannot be carried out.": "无法执行此请求。",
    "You may not do this.": "您无权执行此操作。",
    "The file is too large.": "文件过大。",
    "This type of file is not accepted.": "不接受此类型的文件。",
    # a locked database; the admin login lockout page
    "The database is busy; try again in a moment.": "数据库繁忙，请稍后重试。",
    "Login locked": "登录已锁定",
    "Too many failed login attempts. Logging in is locked for %(minutes)s minutes.": "登录失败次数过多，登录已锁定 %(minutes)s 分钟。",
    "Try again later, or ask an administrator to unlock it sooner.": "请稍后再试，或请管理员提前解锁。",
    "Back to the login page": "返回登录页",
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
    # edit rules, guards and the audit trail
    "Bad request.": "请求有误。",
    "… and %(count)d more items with errors.": "……另有 %(count)d 项有错误。",
    "This host name is not allowed; add it to ALLOWED_HOSTS.": "不允许此主机名；请将其加入 ALLOWED_HOSTS。",
    # notifications and webhooks
    "Notifications and webhooks": "通知与 Webhook",
    "to do": "待办",
    "rejected": "已驳回",
    "finished": "已完成",
    "kind": "类型",
    "kinds": "通知类型",
    "message": "内容",
    "read at": "阅读时间",
    "recipient": "接收人",
    "notification": "通知",
    "notifications": "通知",
    "rejected by %(actor)s": "%(actor)s 驳回",
    "submitted by %(actor)s": "%(actor)s 提交",
    "Order %(serial)s awaits you: %(status)s (%(by)s)": "售后单 %(serial)s 待您处理：%(status)s（%(by)s）",
    "Order %(serial)s awaits action: %(status)s (%(by)s)": "售后单 %(serial)s 待处理：%(status)s（%(by)s）",
    "Order %(serial)s was rejected by %(actor)s back to %(status)s: %(reason)s": "售后单 %(serial)s 被 %(actor)s 驳回至“%(status)s”：%(reason)s",
    "Order %(serial)s is finished: %(status)s (%(actor)s)": "售后单 %(serial)s 已完成：%(status)s（%(actor)s）",
    "Order %(serial)s was cancelled by %(actor)s": "售后单 %(serial)s 已被 %(actor)s 取消",
    "Order %(serial)s is overdue: %(status)s since %(since)s": "售后单 %(serial)s 已超时：自 %(since)s 起%(status)s",
    "Test message from the after-sales service to webhook “%(name)s”.": "售后系统发给 Webhook“%(name)s”的测试消息。",
    "[%(kind)s] Order %(serial)s": "【%(kind)s】售后单 %(serial)s",
    "Step": "步骤",
    "By": "操作人",
    "Time": "时间",
    "Open the order": "查看售后单",
    "generic JSON (signed)": "通用 JSON（签名）",
    "WeCom group robot": "企业微信群机器人",
    "DingTalk group robot": "钉钉群机器人",
    "Feishu group robot": "飞书群机器人",
    "URL": "地址",
    "format": "格式",
    "secret": "密钥",
    "secret set": "已设密钥",
    "host": "主机",
    "webhook": "Webhook",
    "webhooks": "Webhook",
    "The events this webhook is sent.": "此 Webhook 接收哪些事件。",
    "Generic: required, signs each request. DingTalk: the 加签 secret (SEC…), Feishu: the 签名校验 secret, if the robot has one. WeCom: not used. Leave blank to keep the stored secret.": "通用格式：必填，用于为每个请求签名。钉钉：机器人“加签”的密钥（SEC 开头）；飞书：机器人“签名校验”的密钥（如已开启）。企业微信：不使用。留空则保留已保存的密钥。",
    "Enter an http:// or https:// address.": "请输入 http:// 或 https:// 开头的地址。",
    "A generic webhook needs a secret: receivers verify the signature with it.": "通用格式的 Webhook 必须设置密钥：接收方用它校验签名。",
    "Send a test message": "发送测试消息",
    "Test messages queued: %(count)d. Their results appear in the webhook deliveries.": "已排队测试消息：%(count)d 条。结果见“Webhook 投递记录”。",
    "pending": "待投递",
    "delivered": "已送达",
    "failed": "失败",
    "test message": "测试消息",
    "event": "事件",
    "state": "投递状态",
    "attempts": "尝试次数",
    "next attempt at": "下次尝试时间",
    "first attempt at": "首次尝试时间",
    "last attempt at": "最近尝试时间",
    "delivered at": "送达时间",
    "last error": "最近错误",
    "webhook delivery": "Webhook 投递记录",
    "webhook deliveries": "Webhook 投递记录",
    "attempt": "第几次",
    "duration (ms)": "耗时（毫秒）",
    "HTTP status": "HTTP 状态码",
    "succeeded": "成功",
    "error": "错误",
    "response (excerpt)": "响应（摘录）",
    "delivery attempt": "投递尝试",
    "delivery attempts": "投递尝试",
    "Retry now": "立即重试",
    "Deliveries queued again: %(count)d (delivered ones are left alone).": "已重新排队投递：%(count)d 条（已送达的不受影响）。",
    "mine": "我的",
    "read state": "阅读状态",
    "read": "已读",
    "unread": "未读",
    "Mark my selected notifications read": "将所选的我的通知标为已读",
    "Marked read: %(count)d.": "已标为已读：%(count)d 条。",
    "Notifications (%(count)d)": "通知（%(count)d）",
    "interval (seconds)": "间隔（秒）",
    "next run at": "下次运行时间",
    "last started at": "最近开始时间",
    "last finished at": "最近结束时间",
    "last result": "最近结果",
    "periodic job": "定时任务",
    "periodic jobs": "定时任务",
    "Send either “ids” or “all”: true, not both.": "请只发送 “ids” 或 “all”: true 之一，不要同时发送。",
    "Send “ids” (a list of notification ids) or “all”: true.": "请发送 “ids”（通知编号列表）或 “all”: true。",
    # orders/exceptions.py
    "At most {max_length} items, not {length}.": "最多 {max_length} 项，而不是 {length} 项。",
    "last reject reason": "最近驳回原因",
    "on behalf of": "客户端所填操作人",
    "changes": "变更内容",
    "%(status)s (%(workflow)s)": "%(status)s（%(workflow)s）",
    "%(content)s cannot change while the order is %(state)s.": "订单处于“%(state)s”时，%(content)s不能修改。",
    "At this step only %(actors)s may change %(content)s.": "此步骤只有%(actors)s可以修改%(content)s。",
    "Only %(actors)s may %(action)s this order.": "只有%(actors)s可以%(action)s此订单。",
    "“%(name)s” is not an after-sales specialist.": "“%(name)s”不是售后专员。",
    "“%(value)s” is not a choice for %(field)s; choose one of: %(allowed)s.": "“%(value)s”不是%(field)s的可选值；可选：%(allowed)s。",
    "The plaintiff and the defendant must be different suppliers.": "原告供应商与被告供应商不能相同。",
    "“%(operation)s” is not possible while the order is %(state)s.": "订单处于“%(state)s”时不能执行“%(operation)s”。",
    "At this step only %(actors)s may apply “%(operation)s”.": "此步骤只有%(actors)s可以执行“%(operation)s”。",
    "The order is now %(status)s, not %(expected)s; reload it.": "订单当前为“%(status)s”，不是“%(expected)s”，请刷新后重试。",
    "Only an order that is still waiting to be submitted can be deleted; this one is %(state)s.": "只有等待提交的订单可以删除；此订单为“%(state)s”。",
    "An order holds at most %(cap)d %(records)s.": "每个订单最多 %(cap)d 条%(records)s。",
    "edit": "编辑",
    "the order's creator": "订单创建人",
    "the order's header fields": "订单基本信息",
    "the abnormal products": "异常产品",
    "the duty report": "责任报告",
    "the deductions": "扣款单",
    "the attachments": "附件",
    "the follow-up notes": "售后跟踪",
    "Add at least one abnormal product before submitting a %(reason)s claim.": "%(reason)s类售后单提交前至少需要一条异常产品。",
    "Write the duty report before passing the order to the manager.": "提交负责人审批前请先填写责任报告。",
    "The deductions add up to %(deducted)s but the duty report's compensation is %(due)s; they must be equal before finance approves.": "扣款合计 %(deducted)s，与责任报告的扣款金额 %(due)s 不一致；两者相等后财务才能审批。",
    # to-do, bulk operations, admin polish
    "Unknown query parameter.": "未知的查询参数。",
    "After-sales claims (售后单)": "售后单管理系统",
    "After-sales claims": "售后单管理",
    "Back office": "后台管理",
    "Select at most %(count)d orders for one operation.": "一次操作最多选择 %(count)d 个订单。",
    "%(operation)s: %(count)d orders": "%(operation)s：%(count)d 个订单",
    "%(order)s: %(error)s": "%(order)s：%(error)s",
    "“%(operation)s” applied to %(count)d orders: %(orders)s.": "已对 %(count)d 个订单执行“%(operation)s”：%(orders)s。",
    "Approve selected orders (done)": "审批通过所选订单（完成该步骤）",
    "Reject selected orders": "驳回所选订单",
    "Halt selected orders": "暂停所选订单",
    "Resume selected orders": "恢复所选订单",
    "Cancel selected orders": "取消所选订单",
    "added": "新增",
    "changed": "修改",
    "removed": "删除",
    "my to-do": "待我处理",
    "Waiting for me": "等我处理",
    "Including deleted": "含已删除",
    "Deleted only": "仅已删除",
    "Not deleted": "未删除",
    "(deleted)": "（已删除）",
    "This page has changes that are not saved; the operation would discard them.": "本页有未保存的修改，执行此操作将丢弃这些修改。",
    "At most %(count)d values.": "最多 %(count)d 个值。",
    "Ensure each value has at most %(max)d characters.": "每个值最多 %(max)d 个字符。",
    "Use 1 or 0.": "请使用 1 或 0。",
    "One value or several (repeated or comma-separated).": "一个或多个值（重复参数或以逗号分隔）。",
    "A local date, YYYY-MM-DD.": "本地日期，格式 YYYY-MM-DD。",
    "1: only the orders you may apply done to now.": "1：只列出您现在可以审批（完成该步骤）的订单。",
    "Permission denied": "无权访问",
    "Breadcrumbs": "条形导航",
    "You do not have permission to open this page.": "您没有打开此页面的权限。",
    "If you need it for your work, ask an administrator to give your account the role it needs.": "如工作需要，请联系管理员为您的账号分配相应角色。",
    "Back to the back office": "返回后台首页",
    "Cancel": "取消",
    # orders/exceptions.py
    # attachment files (orders/uploads.py, orders/parsers.py)
    "Malformed multipart body: %(reason)s": "multipart 请求体格式错误：%(reason)s",
    "Only JPEG, PNG, WebP or HEIC images and PDF documents are accepted.": "只接受 JPEG、PNG、WebP、HEIC 图片和 PDF 文档。",
    "The file is larger than %(mb)s MB.": "文件超过 %(mb)s MB。",
    "Send one file per request.": "每次请求只能上传一个文件。",
    "No file was sent.": "未收到文件。",
    "The file is empty.": "文件为空。",
    "The image has more than %(megapixels)s megapixels.": "图片超过 %(megapixels)s 百万像素。",
    "The image is damaged or incomplete.": "图片已损坏或不完整。",
    # attachments on orders (model, services, admin)
    "attachment": "附件",
    "attachments": "附件",
    "order": "订单",
    "stored file": "存储文件",
    "stored thumbnail": "存储缩略图",
    "file name": "文件名",
    "file type": "文件类型",
    "size (bytes)": "大小（字节）",
    "size": "大小",
    "width": "宽度",
    "height": "高度",
    "uploaded by": "上传人",
    "uploader name": "上传人姓名",
    "order status when added": "上传时的订单状态",
    "uploaded at": "上传时间",
    "No abnormal product line %(id)s on this order.": "此订单没有编号为 %(id)s 的异常产品明细。",
    "This file is already attached to the order (as “%(name)s”).": "此文件已是该订单的附件（“%(name)s”）。",
    "This file was added while the order was %(added)s; it cannot be removed while the order is %(state)s.": (
        "此文件上传于订单“%(added)s”阶段；订单处于“%(state)s”时不能删除。"
    ),
    "Only %(name)s, who uploaded this file, may remove it.": "只有上传此文件的 %(name)s 可以删除它。",
    "preview": "预览",
    "remove": "删除",
    "Remove": "删除",
    "Remove “%(name)s”? The file is deleted; the journal keeps the record.": "删除“%(name)s”？文件将被删除，日志中保留记录。",
    "JPEG, PNG, WebP or HEIC photos and PDF documents, at most %(mb)s MB each.": (
        "可上传 JPEG、PNG、WebP、HEIC 照片和 PDF 文档，每个文件不超过 %(mb)s MB。"
    ),
    "Add a file": "添加附件",
    "File": "文件",
    "Upload": "上传",
    "“%(name)s” was added.": "已添加“%(name)s”。",
    "“%(name)s” was removed.": "已删除“%(name)s”。",
    "The service is busy; try again in a moment.": "服务繁忙，请稍后重试。",
}


def _without_fuzzy(line: str) -> str:
    """A flags line without `fuzzy` (makemessages marks guessed entries so; ours are all real)."""
    if not line.startswith("#, "):
        return line
    flags = [flag.strip() for flag in line[3:].split(",") if flag.strip() != "fuzzy"]
    return "#, " + ", ".join(flags)


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line if line.startswith('"') else line.split(" ", 1)[1]) for line in lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unfuzzy(line: str) -> str | None:
    """A flags line without `fuzzy` (e.g. "#, fuzzy, python-format"); None when nothing is left."""
    if not line.startswith("#,"):
        return line
    flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() and flag.strip() != "fuzzy"]
    return f"#, {', '.join(flags)}" if flags else None


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
        # A fuzzy entry is left out of the compiled catalogue: drop the flag (also beside
        # python-format) and makemessages' guess of the previous msgid.
        lines = [_without_fuzzy(line) for line in lines if line != "#, fuzzy" and not line.startswith("#| ")]
        msgstr_at = next(i for i, line in enumerate(lines) if line.startswith("msgstr "))
        if msgid in GLOSSARY:
            lines = [*lines[:msgstr_at], "msgstr " + _quote(GLOSSARY[msgid])]
        else:  # never keep makemessages' guess: an untranslated entry stays empty (English shows)
            lines = [*lines[:msgstr_at], 'msgstr ""']
            missing.append(msgid)
        out.append("\n".join(lines))
    PO.write_text("\n\n".join(out), encoding="utf-8")
    subprocess.run(["msgfmt", "--check-format", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)  # noqa: S603, S607
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
