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
	"mgr.truncated":      {"（只显示最新 %d 笔，请缩小时间范围；导出包含全部）", "(only the newest %d are listed; narrow the period — exports include all)"},

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
	"staff.enabled":      {"已启用：%s", "Enabled: %s"},
	"staff.disabled":     {"已停用：%s（不能再登录）", "Disabled: %s (can no longer log in)"},

	// Agent codes the manager screens show that table.go lacks (table.go's
	// own sentence wins once it has one).
	"err.PRINT_FAILED":      {"小票没有排进打印队列，但业务已保存。请检查打印机后在「打印问题」或销售记录中重打印。", "The receipt was not queued, but the record is saved. Check the printer, then reprint from Printer problems or Sales."},
	"err.RULES_NOT_SYNCED":  {"终端还没有从平台下载补贴规则。请联网后让运维在「商品库与规则」中同步。", "The terminal has not downloaded the subsidy rules yet. Connect to the network and ask support to sync the library and rules."},
	"err.ALREADY_PICKED_UP": {"这张回收单的旧机已经登记过回收，不能重复登记。", "The old appliance of this ticket was already picked up; it cannot be recorded twice."},

	// Warning codes stored with sales, shown on the review list. Same text
	// as the main window's table where both define one.
	"warn.PRICE_ABOVE_FILED": {"成交价高于备案价", "final price above the filed price"},
	"warn.REPEAT_CONSUMER":   {"该消费者以前享受过补贴", "this consumer received subsidies before"},
	"warn.SYNC_REJECTED":     {"平台事后拒绝了这笔销售", "the platform rejected this sale after sync"},
	"warn.SUBSIDY_DIFFERS":   {"平台核定的补贴与本机计算不同，以平台为准", "the platform's subsidy differs from the local computation; the platform's figure applies"},
	"warn.FREEZE_EXPIRED":    {"补贴冻结已过期后才完成", "completed after the subsidy freeze expired"},

	// Printer problems.
	"print.none":    {"没有未打印的小票。", "Every receipt printed."},
	"print.refresh": {"刷新", "Refresh"},
	"print.select":  {"请先在列表中选择一张小票。", "Select a receipt in the list first."},
	"print.failed":  {"打印失败", "print failed"},
	"print.retried": {"已重新发送到打印机（任务 %s）。", "Sent to the printer again (job %s)."},
	"print.skipped": {"已跳过（任务 %s）；需要时可在销售记录中重打印。", "Skipped (job %s); reprint it from Sales when needed."},

	// Field support.
	"sup.diag":            {"诊断与注册", "Diagnostics"},
	"sup.maint":           {"商品库与备份", "Library and backup"},
	"sup.devtest":         {"设备测试", "Device test"},
	"sup.choose":          {"（请选择）", "(choose)"},
	"sup.data_bits":       {"数据位", "Data bits"},
	"sup.parity":          {"校验", "Parity"},
	"sup.stop_bits":       {"停止位", "Stop bits"},
	"sup.idle":            {"空闲超时（毫秒）", "Idle timeout (ms)"},
	"sup.idle_ph":         {"结束符为 IDLE 时填写，例如 50", "When the suffix is IDLE, e.g. 50"},
	"sup.aim":             {"条码前带 AIM 码制标识（]E0 等）", "Codes start with an AIM symbology identifier (]E0 …)"},
	"sup.port_ph":         {"选择或输入端口，例如 COM3 或 /dev/ttyUSB0", "Choose or type a port, e.g. COM3 or /dev/ttyUSB0"},
	"sup.printer_port_ph": {"选择或输入端口；留空表示不接打印机", "Choose or type a port; empty means no printer"},
	"sup.no_ports":        {"系统没有找到串口。请检查 USB 线和驱动后点「刷新端口」。", "The system lists no serial ports. Check the USB cable and driver, then press Refresh ports."},
	"sup.bad_mode":        {"请选择扫码枪的接入方式。", "Choose how the scanner is connected."},
	"sup.need_port":       {"串口扫码枪需要选择端口。", "A serial scanner needs a port."},
	"sup.need_serial":     {"请填完扫码枪的波特率、数据位、校验、停止位和结束符（见扫码枪说明书）。", "Fill in the scanner's baud, data bits, parity, stop bits and suffix (see its manual)."},
	"sup.bad_idle":        {"空闲超时应为 10 到 5000 毫秒之间的整数。", "The idle timeout must be a whole number from 10 to 5000 ms."},
	"sup.need_printer":    {"请填完打印机的波特率、纸宽和二维码方式。", "Fill in the printer's baud, paper width and QR mode."},
	"sup.same_port":       {"扫码枪和打印机不能用同一个端口。", "The scanner and the printer cannot share a port."},
	"sup.testscan_note":   {"测试扫码只在本页显示时读取扫码枪；离开本页即停止。", "The test scan reads the scanner only while this page is shown; leaving the page stops it."},
	"sup.testscan_none":   {"一分钟内没有收到扫码。请检查扫码枪接线和设置后再试。", "No scan arrived within a minute. Check the scanner's cable and settings, then try again."},
	"sup.skew_bad":        {"时钟偏差过大，平台会拒绝本终端的请求。请校准系统时间（开启自动对时）。", "The clock is off by too much; the platform will refuse this terminal. Correct the system time (turn on automatic time)."},
	"sup.need_code":       {"请输入平台发放的注册码。", "Type the enrollment code from the platform."},
	"sup.enroll_ok":       {"注册成功。请同步商品库与规则，然后添加员工。", "Enrolled. Now sync the library and rules, then add staff."},
	"sup.log_count":       {"最新 %d 行日志（不含消费者个人信息）", "The newest %d log lines (no consumer personal data)"},
}

func init() {
	for k, e := range managerTable {
		if _, ok := table[k]; !ok {
			table[k] = e
		}
	}
}
