package i18n

// mainTable holds the strings of the main window, the sale wizard and the
// recycler screen (package ui, ui/sale, ui/recycler) that table.go does not
// have. It is merged into table at start-up; a key table.go (or another
// screen's file) already defines keeps that text, so no file overwrites
// another's string.
var mainTable = map[string]entry{
	// Application frame.
	"app.store":   {"%s · 终端 %s", "%s · terminal %s"},
	"app.datadir": {"数据目录：%s", "Data directory: %s"},
	"nav.manager": {"店长管理", "Manager"},

	// Sales interrupted by the last stop, as the start finished them (ui/sale).
	"sale.int.done": {"上次中断的销售 %s（%s，顾客实付 %s）已完成：顾客已付款，销售已保存，小票已排入打印。顾客没拿到小票时请点「重打小票」。",
		"The sale interrupted at the last stop, %s (%s, paid %s), is finished: the consumer paid, the sale is saved and its receipt queued. If the consumer has no receipt, press Reprint."},
	"sale.int.cancelled": {"上次中断的销售 %s（%s）已取消：顾客尚未付款，补贴已释放。请为顾客从头重新办理（重新扫消费者码）。",
		"The sale interrupted at the last stop, %s (%s), was cancelled: the consumer had not paid and the subsidy was released. Serve the consumer again from the start (scan the consumer code again)."},
	"sale.int.reprint":   {"重打小票", "Reprint"},
	"sale.int.reprinted": {"已重打小票。", "Receipt reprinted."},
	"sale.int.ok":        {"知道了", "Got it"},

	// A data directory that cannot take a write (agent/disk.go).
	"err.DISK_FULL": {"电脑磁盘已满，无法保存。请联系运维释放磁盘空间后重试；已保存的业务不受影响。",
		"The PC's disk is full: nothing can be saved. Ask field support to free disk space, then try again; what was saved is safe."},
	"err.disk_full_mb": {"电脑磁盘已满，无法保存。请联系运维至少释放 %d MB 磁盘空间后重试；已保存的业务不受影响。",
		"The PC's disk is full: nothing can be saved. Ask field support to free at least %d MB, then try again; what was saved is safe."},
	"err.DATA_READ_ONLY": {"数据目录只读，无法保存。请联系运维检查数据目录的权限或磁盘（是否以只读方式挂载）；已保存的业务不受影响。",
		"The data directory is read-only: nothing can be saved. Ask field support to check its permissions or the disk (mounted read-only?); what was saved is safe."},
	"status.disk_full": {"磁盘已满：请释放至少 %d MB", "Disk full: free at least %d MB"},
	"status.read_only": {"数据目录只读：无法保存", "Data directory read-only: nothing is saved"},

	// Start-up failure window (the app could not start; StartFailure).
	"start.title":    {"以旧换新门店终端：无法启动", "Trade-in Store Terminal: cannot start"},
	"start.failed":   {"收银程序无法启动，已停止，没有做任何更改。", "The terminal cannot start. It stopped without changing anything."},
	"start.problem":  {"问题：", "Problem:"},
	"start.fix":      {"处理办法：", "What to do:"},
	"start.nofix":    {"请联系运维人员，运行 terminalctl doctor 查明原因。", "Call field support to run terminalctl doctor and find the cause."},
	"start.support":  {"请把本窗口的内容告诉运维人员（可选中复制）。", "Tell field support what this window says (the text can be copied)."},
	"nav.print":      {"打印问题", "Printer problems"},
	"login.locked":   {"已锁定", "locked"},
	"login.pin_need": {"请输入 PIN。", "Type your PIN."},
	"login.who_need": {"请选择员工，或输入工号。", "Choose your name or type your staff ID."},
	"login.row":      {"%s %s（%s）", "%s %s (%s)"},

	// Status bar.
	"status.offline_subsidy": {"离线补贴待确认 %s", "offline subsidy pending %s"},
	"status.offline_sales":   {"离线单 %d", "offline sales %d"},
	"status.left":            {"剩 %s", "%s left"},
	"status.rules_missing":   {"未同步规则", "rules not synced"},
	"dur.seconds":            {"%d 秒", "%d s"},

	// Printer problems (status-bar dialog).
	"print.choose_hint": {"要改用其他打印机：请让运维登录，在「运维 → 设备设置」里选择打印机端口，然后回到这里点「重试」。", "To use another printer: ask field support to log in and choose the printer port under Support → Devices, then come back here and press Retry."},

	// Sale wizard.
	"sale.ti.phone":        {"消费者电话（可选，上门回收用）", "Consumer phone (optional, for the pickup)"},
	"sale.ti.choose":       {"请选择旧机品类和成色。", "Choose the old appliance's category and condition."},
	"sale.step.quote":      {"⑥ 确认补贴", "⑥ Confirm subsidy"},
	"sale.step.pay":        {"⑦ 收款", "⑦ Payment"},
	"sale.step.finish":     {"⑧ 完成", "⑧ Done"},
	"sale.esc_confirm":     {"确定取消本单吗？已冻结的补贴会退回平台。", "Cancel this sale? A frozen subsidy goes back to the platform."},
	"sale.esc_again":       {"再按一次 Esc 取消本单（已冻结的补贴会退回平台）；按 Enter 继续办理。", "Press Esc again to cancel this sale (a frozen subsidy goes back to the platform); Enter carries on."},
	"sale.confirming":      {"正在向平台确认补贴…", "Confirming the subsidy with the platform…"},
	"sale.committing":      {"正在保存销售…", "Saving the sale…"},
	"sale.sn.notice":       {"提示：%s", "Notice: %s"},
	"sale.sn.none":         {"本商品无需序列号", "No serial number needed"},
	"sale.print_retry":     {"请检查打印机（纸、盖子、连线），然后点状态栏的「未打印」重试，或由店长在销售记录中重打印。", "Check the printer (paper, cover, cable), then press Unprinted in the status bar to retry, or ask the manager to reprint from Sales."},
	"sale.start_failed":    {"无法开始新的一单：%s", "Cannot start a new sale: %s"},
	"sale.pay_done":        {"已收款，支付凭证 %s", "Paid, payment reference %s"},
	"sale.paid_commit":     {"已收款但尚未保存完成；按 Enter 再试一次。", "Paid but not saved yet; press Enter to try again."},
	"sale.scanned_done":    {"上一单已完成，已开始新的一单。", "The last sale is done; a new sale was started."},
	"sale.not_editable":    {"补贴已确认，不能再修改商品或资格码。如需修改请按 Esc 取消本单后重来。", "The subsidy is confirmed; the product and code cannot change now. Press Esc to cancel the sale and start again."},
	"warn.SN_UNCHECKED":    {"未能向平台核验序列号，仅做了本机核对；联网后平台会再次核验", "the serial number was checked locally only; the platform checks it again when back online"},
	"warn.SUBSIDY_DIFFERS": {"平台核定的补贴与本机计算不同，以平台为准", "the platform's subsidy differs from the local computation; the platform's figure applies"},
	"warn.FREEZE_EXPIRED":  {"补贴冻结已过期后才完成", "completed after the subsidy freeze expired"},
	"warn.REPEAT_CONSUMER": {"该消费者以前享受过补贴", "this consumer received subsidies before"},
	"warn.SYNC_REJECTED":   {"平台事后拒绝了这笔销售", "the platform rejected this sale after sync"},

	// Recycler.
	"pickup.lookup":      {"查询回收单（Enter）", "Look up (Enter)"},
	"pickup.photo_pick":  {"选择照片…", "Choose photo…"},
	"pickup.photo_clear": {"不附照片", "No photo"},
	"pickup.photo_none":  {"未选择照片", "No photo chosen"},
	"pickup.photo_got":   {"已选择照片：%s（%d KB）", "Photo chosen: %s (%d KB)"},
	"pickup.state":       {"销售状态：%s · 旧机：%s · 成色 %s", "Sale state: %s · old appliance: %s · condition %s"},
	"pickup.no_tradein":  {"这笔销售没有旧机回收。请核对回收单。", "This sale has no old appliance. Check the ticket."},
	"pickup.need_ticket": {"请先扫描或输入回收单号并查询。", "Scan or type the trade-in ticket first and look it up."},
	"pickup.need_cond":   {"请选择旧机的实际成色。", "Choose the condition found."},
}

func init() {
	for k, e := range mainTable {
		if _, ok := table[k]; !ok {
			table[k] = e
		}
	}
}
