package i18n

// managerTable holds the strings of the manager screens (ui/manager) and
// the field-support screen (ui/support) that table.go does not have. It is
// merged into table at start-up; a key table.go already defines keeps its
// table.go text, so the two files can never fight over a string.
var managerTable = map[string]entry{
	// Manager: sales list.
	"mgr.from":           {"起始日期", "From day"},
	"mgr.to":             {"截止日期", "To day"},
	"mgr.print_tab":      {"打印问题", "Printer problems"},
	"mgr.refund_do":      {"确认退款", "Refund"},
	"mgr.refund_confirm": {"订单 %s 将退款：补贴 %s 退回平台，序列号解锁，并打印退款小票。此操作不能撤销。", "Order %s will be refunded: the subsidy of %s goes back to the platform, the serial number is unlocked and a refund receipt prints. This cannot be undone."},
	"mgr.refund_info":    {"退款单号 %s · 原因：%s", "Refund no. %s · reason: %s"},
	"mgr.exporting":      {"正在导出", "Exporting"},

	// Review list.
	"review.row":       {"%s  %s  %s  %s", "%s  %s  %s  %s"},
	"review.sep":       {"；", "; "},
	"review.need_note": {"请填写处理说明（例如已联系消费者、已退款或确认无误）。", "Write a resolution note (e.g. consumer called, refunded, or checked and fine)."},
	"review.done":      {"订单 %s 已处理：%s", "Order %s resolved: %s"},

	// Daily report.
	"report.col.sales":   {"笔数", "Sales"},
	"report.col.final":   {"成交金额", "Final"},
	"report.col.subsidy": {"补贴金额", "Subsidy"},
	"report.no_sales":    {"这一天没有已完成的补贴销售。", "No completed subsidised sales on this day."},

	// Staff management.
	"staff.pin2":         {"再次输入 PIN", "PIN again"},
	"staff.pin_mismatch": {"两次输入的 PIN 不一致（且须为 4–8 位数字）。请重新输入。", "The two PINs differ (and must be 4–8 digits). Type them again."},
	"staff.need_name":    {"请填写员工姓名。", "Type the staff member's name."},
	"staff.select":       {"请先在列表中选择一位员工。", "Select a staff member in the list first."},
	"staff.reset_title":  {"重置 %s 的 PIN", "Reset the PIN of %s"},
	"staff.enable_id":    {"输入已停用员工的工号以重新启用", "Staff ID of a disabled member to enable"},
	"staff.enabled":      {"已启用：%s", "Enabled: %s"},
	"staff.disabled":     {"已停用：%s（不能再登录）", "Disabled: %s (can no longer log in)"},

	// Agent codes the manager screens show that table.go lacks (table.go's
	// own sentence wins once it has one).
	"err.PRINT_FAILED":      {"小票没有排进打印队列，但业务已保存。请检查打印机后在「打印问题」或销售记录中重打印。", "The receipt was not queued, but the record is saved. Check the printer, then reprint from Printer problems or Sales."},
	"err.RULES_NOT_SYNCED":  {"终端还没有从平台下载补贴规则。请联网后让运维在「商品库与规则」中同步。", "The terminal has not downloaded the subsidy rules yet. Connect to the network and ask support to sync the library and rules."},
	"err.ALREADY_PICKED_UP": {"这张回收单的旧机已经登记过回收，不能重复登记。", "The old appliance of this ticket was already picked up; it cannot be recorded twice."},

	// Printer problems.
	"print.none":    {"没有未打印的小票。", "Every receipt printed."},
	"print.refresh": {"刷新", "Refresh"},
	"print.select":  {"请先在列表中选择一张小票。", "Select a receipt in the list first."},
	"print.failed":  {"打印失败", "print failed"},
	"print.retried": {"已重新发送到打印机（任务 %s）。", "Sent to the printer again (job %s)."},
	"print.skipped": {"已跳过（任务 %s）；需要时可在销售记录中重打印。", "Skipped (job %s); reprint it from Sales when needed."},
}

func init() {
	for k, e := range managerTable {
		if _, ok := table[k]; !ok {
			table[k] = e
		}
	}
}
