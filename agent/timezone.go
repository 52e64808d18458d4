package agent

import "time"

// ChinaTime is China Standard Time (UTC+08:00, no daylight saving). Campaign
// windows, business days, ticket numbers and daily reports are all reckoned
// in it, whatever the time zone of the checkout PC is set to. A fixed zone is
// used rather than time.LoadLocation("Asia/Shanghai") because Windows
// machines often lack the tz database.
var ChinaTime = time.FixedZone("CST", 8*60*60)
