package sim

import "tradein/agent"

// seedProduct is one row of the demo product library. Barcodes are
// 13-digit GTINs with Chinese (69x) prefixes and valid check digits;
// prices are filed prices (价格备案) in yuan.
type seedProduct struct {
	Barcode  string
	Name     string
	Brand    string
	Model    string
	Category agent.Category
	Grade    int // energy/water grade; 0 for categories without one
	Filed    agent.Fen
	SN       bool // serial number required at sale
}

// demoProducts is the seeded library: every subsidy category, major
// brands, grade-1 and grade-2 appliances plus one grade-3 model (not
// eligible), and digital products above and below the 6,000-yuan ceiling.
var demoProducts = []seedProduct{
	{"6901018526015", "海尔 BCD-510WGHTDE9 十字对开门冰箱", "Haier", "BCD-510WGHTDE9", agent.CatFridge, 1, agent.Yuan(4299), true},
	{"6902757815903", "美的 BCD-521WSPZM 对开门冰箱", "Midea", "BCD-521WSPZM", agent.CatFridge, 1, agent.Yuan(3599), true},
	{"6901019830166", "卡萨帝 BCD-651WLCTDM4 原石冰箱", "Casarte", "BCD-651WLCTDM4", agent.CatFridge, 1, agent.Yuan(15999), true},
	{"6921165613185", "海信 BCD-258WYK1DPUT 三门冰箱", "Hisense", "BCD-258WYK1DPUT", agent.CatFridge, 2, agent.Yuan(1799), true},
	{"6924802609138", "西门子 KA92NV02TI 对开门冰箱", "Siemens", "KA92NV02TI", agent.CatFridge, 3, agent.Yuan(5999), true},
	{"6902758909960", "小天鹅 TG100V88WMUIADY5 滚筒洗衣机", "Little Swan", "TG100V88WMUIADY5", agent.CatWasher, 1, agent.Yuan(3299), true},
	{"6901018030826", "海尔 EG100MATE35S 滚筒洗衣机", "Haier", "EG100MATE35S", agent.CatWasher, 1, agent.Yuan(2699), true},
	{"6902757462817", "美的 MG100V36T 滚筒洗衣机", "Midea", "MG100V36T", agent.CatWasher, 2, agent.Yuan(1599), true},
	{"6924802948213", "西门子 WG54B2X00W 滚筒洗衣机", "Siemens", "WG54B2X00W", agent.CatWasher, 1, agent.Yuan(4999), true},
	{"6921165993515", "海信 65E7N Pro 65英寸 ULED电视", "Hisense", "65E7N-PRO", agent.CatTV, 1, agent.Yuan(5999), true},
	{"6922360819099", "TCL 75Q10K 75英寸 Mini LED电视", "TCL", "75Q10K", agent.CatTV, 1, agent.Yuan(7999), true},
	{"6934177378652", "小米电视 S Pro 85英寸 Mini LED", "Xiaomi", "L85MA-SM", agent.CatTV, 1, agent.Yuan(9999), true},
	{"6922813797547", "创维 65A5D Pro 65英寸电视", "Skyworth", "65A5D-PRO", agent.CatTV, 2, agent.Yuan(3299), true},
	{"6925281323195", "索尼 K-75XR90 75英寸 XR电视", "Sony", "K-75XR90", agent.CatTV, 2, agent.Yuan(15999), true},
	{"6922521487570", "格力 云佳 KFR-35GW/NhGc1B 1.5匹挂机", "Gree", "KFR-35GW/NhGc1B", agent.CatAirCond, 1, agent.Yuan(2899), true},
	{"6922521491188", "格力 云锦III KFR-72LW/NhAf1BG 3匹柜机", "Gree", "KFR-72LW/NhAf1BG", agent.CatAirCond, 1, agent.Yuan(8499), true},
	{"6902757625274", "美的 酷省电 KFR-35GW/N8KS1-1 1.5匹挂机", "Midea", "KFR-35GW/N8KS1-1", agent.CatAirCond, 1, agent.Yuan(2399), true},
	{"6901018601897", "海尔 静悦 KFR-35GW/B5LAA81U1 1.5匹挂机", "Haier", "KFR-35GW/B5LAA81U1", agent.CatAirCond, 1, agent.Yuan(2699), true},
	{"6922360555973", "TCL 小蓝翼 KFR-26GW/RT2Ea+B3 大1匹挂机", "TCL", "KFR-26GW/RT2Ea+B3", agent.CatAirCond, 2, agent.Yuan(1799), true},
	{"6921734971142", "联想 小新 Pro 16 2025 笔记本电脑", "Lenovo", "XIAOXIN-PRO16-2025", agent.CatComputer, 0, agent.Yuan(6499), true},
	{"6941487710492", "华为 MateBook 14 2025 笔记本电脑", "Huawei", "MATEBOOK14-2025", agent.CatComputer, 0, agent.Yuan(5999), true},
	{"6973026746501", "Apple MacBook Air 13 M4 16GB 512GB", "Apple", "MW123CH/A", agent.CatComputer, 0, agent.Yuan(8999), true},
	{"6925739752911", "戴尔 灵越 14 Plus 笔记本电脑", "Dell", "INSPIRON-14P-7440", agent.CatComputer, 0, agent.Yuan(5499), true},
	{"6941236703423", "A.O.史密斯 E60VDP-C 电热水器 60L", "AO Smith", "E60VDP-C", agent.CatWaterHeater, 1, agent.Yuan(3299), true},
	{"6901018366710", "海尔 EC6002-PA5U1 电热水器 60L", "Haier", "EC6002-PA5U1", agent.CatWaterHeater, 1, agent.Yuan(1599), true},
	{"6902757276841", "美的 JSQ30-MK5 燃气热水器 16L", "Midea", "JSQ30-MK5", agent.CatWaterHeater, 1, agent.Yuan(2199), true},
	{"6926518268463", "方太 JZT-TH29B 燃气灶", "Fotile", "JZT-TH29B", agent.CatHob, 1, agent.Yuan(2999), true},
	{"6926101563210", "老板 JZT-57B0 燃气灶", "Robam", "JZT-57B0", agent.CatHob, 1, agent.Yuan(2199), true},
	{"6926902223306", "华帝 JZT-i10062B 燃气灶", "Vatti", "JZT-I10062B", agent.CatHob, 2, agent.Yuan(1299), true},
	{"6926518792449", "方太 CXW-358-EMC6 吸油烟机", "Fotile", "CXW-358-EMC6", agent.CatRangeHood, 1, agent.Yuan(4999), true},
	{"6926101026852", "老板 CXW-260-27X7 吸油烟机", "Robam", "CXW-260-27X7", agent.CatRangeHood, 1, agent.Yuan(3999), true},
	{"6926902995289", "华帝 CXW-328-i11212 吸油烟机", "Vatti", "CXW-328-I11212", agent.CatRangeHood, 2, agent.Yuan(2699), true},
	{"6942389907867", "安吉尔 J3312-ROB60 净水器", "Angel", "J3312-ROB60", agent.CatWaterPurifier, 1, agent.Yuan(2999), true},
	{"6934177666179", "小米 净水器 1200G Pro", "Xiaomi", "MR1283-PRO", agent.CatWaterPurifier, 1, agent.Yuan(2499), true},
	{"6902757603135", "美的 MRO1891-1000G 净水器", "Midea", "MRO1891-1000G", agent.CatWaterPurifier, 2, agent.Yuan(1999), true},
	{"6924802721595", "西门子 SJ43HS00KC 洗碗机 13套", "Siemens", "SJ43HS00KC", agent.CatDishwasher, 1, agent.Yuan(4699), true},
	{"6926518010925", "方太 02-E5 水槽洗碗机", "Fotile", "02-E5", agent.CatDishwasher, 1, agent.Yuan(6999), true},
	{"6902757139627", "美的 RX600 Pro 洗碗机 15套", "Midea", "RX600-PRO", agent.CatDishwasher, 1, agent.Yuan(3999), true},
	{"6920153459576", "苏泊尔 SF40HC765 IH电饭煲 4L", "Supor", "SF40HC765", agent.CatRiceCooker, 1, agent.Yuan(699), false},
	{"6902757117779", "美的 MB-HC4075 IH电饭煲 4L", "Midea", "MB-HC4075", agent.CatRiceCooker, 1, agent.Yuan(599), false},
	{"6926755741217", "九阳 F-40TD05 电饭煲 4L", "Joyoung", "F-40TD05", agent.CatRiceCooker, 2, agent.Yuan(299), false},
	{"6935058547280", "格兰仕 G80F23CN3L-C2 微波炉 23L", "Galanz", "G80F23CN3L-C2", agent.CatMicrowave, 1, agent.Yuan(499), false},
	{"6902757038524", "美的 PC23M5W 微波炉 23L", "Midea", "PC23M5W", agent.CatMicrowave, 1, agent.Yuan(599), false},
	{"6925986808416", "松下 NN-GF39JW 微波炉 30L", "Panasonic", "NN-GF39JW", agent.CatMicrowave, 2, agent.Yuan(1299), false},
	{"6941487485253", "华为 Mate 70 12GB+512GB", "Huawei", "CLS-AL00", agent.CatPhone, 0, agent.Yuan(5999), true},
	{"6941487388851", "华为 Pura 80 Pro 12GB+512GB", "Huawei", "HBN-AL00", agent.CatPhone, 0, agent.Yuan(6999), true},
	{"6934177393365", "小米 15 12GB+256GB", "Xiaomi", "25010PN30C", agent.CatPhone, 0, agent.Yuan(4499), true},
	{"6934178338754", "Redmi K80 12GB+256GB", "Redmi", "24122RKC7C", agent.CatPhone, 0, agent.Yuan(2499), true},
	{"6973026004748", "Apple iPhone 16 128GB", "Apple", "MYEA3CH/A", agent.CatPhone, 0, agent.Yuan(5999), true},
	{"6973026395754", "Apple iPhone 16 Pro 256GB", "Apple", "MYLV3CH/A", agent.CatPhone, 0, agent.Yuan(8999), true},
	{"6932169513135", "OPPO Find X8 12GB+256GB", "OPPO", "PKB110", agent.CatPhone, 0, agent.Yuan(4199), true},
	{"6935117735375", "vivo X200 12GB+256GB", "vivo", "V2405A", agent.CatPhone, 0, agent.Yuan(4299), true},
	{"6942103990755", "荣耀 Magic7 12GB+256GB", "Honor", "BVL-AN00", agent.CatPhone, 0, agent.Yuan(4499), true},
	{"6973026116373", "Apple iPad Air 11 M3 128GB WLAN", "Apple", "MC9X4CH/A", agent.CatTablet, 0, agent.Yuan(4799), true},
	{"6941487265169", "华为 MatePad 11.5 S 8GB+256GB", "Huawei", "TGR-W09", agent.CatTablet, 0, agent.Yuan(2799), true},
	{"6934177761225", "小米平板 7 8GB+256GB", "Xiaomi", "2410CRP4CC", agent.CatTablet, 0, agent.Yuan(2199), true},
	{"6973026202977", "Apple iPad Pro 13 M4 512GB WLAN", "Apple", "MVX43CH/A", agent.CatTablet, 0, agent.Yuan(12999), true},
	{"6941487299751", "华为 WATCH GT 5 46mm", "Huawei", "VLI-B29", agent.CatSmartwatch, 0, agent.Yuan(1488), true},
	{"6973026288209", "Apple Watch Series 10 42mm GPS", "Apple", "MWWE3CH/A", agent.CatSmartwatch, 0, agent.Yuan(2999), true},
	{"6934177018268", "小米手环 9 NFC", "Xiaomi", "M2346B1", agent.CatSmartwatch, 0, agent.Yuan(279), true},
	{"6972317330436", "雅迪 冠能 E10 电动自行车", "Yadea", "TDT1235Z", agent.CatEBike, 0, agent.Yuan(3599), true},
	{"6971452483953", "爱玛 元宇宙 电动自行车", "Aima", "TDT2268Z", agent.CatEBike, 0, agent.Yuan(2999), true},
	// Categories new in 2026 (national smart glasses) and the example
	// local smart-home set; the barcodes are made up (697000000… with
	// valid check digits).
	{"6970000001014", "雷鸟 V3 AI拍摄眼镜", "RayNeo", "RAYNEO-V3", agent.CatSmartGlasses, 0, agent.Yuan(2999), true},
	{"6970000001021", "小米 智能门锁 M20 Pro", "Xiaomi", "XMZNMS09LM", CatSmartHome, 0, agent.Yuan(1999), true},
	{"6970000001038", "海尔 适老化 智能护理床 HC-01", "Haier", "HC-01", CatSmartHomeElderly, 0, agent.Yuan(6999), true},
}

// demoWaterGrades are the water-efficiency grades of seeded products that
// have one (washers): the Midea washer of energy grade 2 has water grade
// 1, so it qualifies under the 2026 rules' "energy or water grade 1".
var demoWaterGrades = map[string]int{"6902757462817": 1}

// DemoProducts returns the seeded demo library (tests pick products from it).
func DemoProducts() []agent.Product {
	out := make([]agent.Product, 0, len(demoProducts))
	for _, p := range demoProducts {
		out = append(out, agent.Product{Barcode: p.Barcode, Name: p.Name, Brand: p.Brand, Model: p.Model, Category: p.Category,
			EnergyGrade: p.Grade, WaterGrade: demoWaterGrades[p.Barcode], FiledPriceFen: p.Filed, SNRequired: p.SN, Status: agent.ProductActive})
	}
	return out
}
