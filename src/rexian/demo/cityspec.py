"""云泽市 (Yunze): a fictional prefecture-level city, described as plain data for the demo.

Nothing here imports Django, so the same description can seed a database, drive tests or be
printed. Every name is invented; any likeness to a real place is accidental.

Naming convention for territorial units: ``name`` is the formal name of the office
("云泽市青山区人民政府", "青山区湖滨街道办事处", "湖滨街道翠湖社区居民委员会") and
``short_names[0]`` is the place name citizens say and addresses use ("青山区", "湖滨街道", "翠湖社区").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str  # centre | department | district | street | community | enterprise
    parent: str | None
    short_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    parent: str | None
    unit: str | None = None  # leaf only: responsible city department or enterprise (谁主管谁负责)
    territorial: bool = False  # leaf only: sent to the district where it happens (属地管理优先)


CITY_NAME = "云泽市"

# ---------------------------------------------------------------------------------------------
# Organisation
# ---------------------------------------------------------------------------------------------

# (code, full name, short names). All are 市直部门 under the city government.
_DEPARTMENTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("d_hrss", "云泽市人力资源和社会保障局", ("人社局", "人社")),
    ("d_housing", "云泽市住房和城乡建设局", ("住建局", "住建")),
    ("d_urban", "云泽市城市管理和综合执法局", ("城管局", "城管", "综合执法局")),
    ("d_samr", "云泽市市场监督管理局", ("市场监管局", "市监局", "市场监管")),
    ("d_transport", "云泽市交通运输局", ("交通运输局", "交通局", "交通")),
    ("d_police", "云泽市公安局", ("公安局", "市公安局", "公安")),
    ("d_edu", "云泽市教育局", ("教育局", "教育")),
    ("d_health", "云泽市卫生健康委员会", ("卫健委", "卫生健康委")),
    ("d_medins", "云泽市医疗保障局", ("医保局", "医保")),
    ("d_eco", "云泽市生态环境局", ("生态环境局", "环保局", "环保")),
    ("d_nrp", "云泽市自然资源和规划局", ("自然资源和规划局", "自然资源局", "规划局", "资规局")),
    ("d_civil", "云泽市民政局", ("民政局", "民政")),
    ("d_agri", "云泽市农业农村局", ("农业农村局", "农业局")),
    ("d_water", "云泽市水务局", ("水务局", "水利局")),
    ("d_culture", "云泽市文化广电旅游局", ("文旅局", "文广旅局")),
    ("d_commerce", "云泽市商务局", ("商务局", "商务")),
    ("d_emergency", "云泽市应急管理局", ("应急管理局", "应急局")),
    ("d_hpf", "云泽市住房公积金管理中心", ("公积金中心", "公积金")),
    ("d_tax", "国家税务总局云泽市税务局", ("税务局", "市税务局", "税务")),
    ("d_veterans", "云泽市退役军人事务局", ("退役军人事务局", "退役军人局")),
    ("d_disabled", "云泽市残疾人联合会", ("残联", "市残联")),
    ("d_petition", "云泽市信访局", ("信访局", "信访")),
    ("d_justice", "云泽市司法局", ("司法局", "司法")),
    ("d_forestry", "云泽市林业局", ("林业局", "林业")),
    ("d_ndrc", "云泽市发展和改革委员会", ("发改委", "发展改革委")),
    ("d_miit", "云泽市工业和信息化局", ("工信局", "工信")),
    ("d_finance", "云泽市财政局", ("财政局", "财政")),
    ("d_stats", "云泽市统计局", ("统计局", "统计")),
    ("d_data", "云泽市政务服务和大数据管理局", ("数据局", "政数局", "大数据局", "政务服务局")),
    ("d_approval", "云泽市行政审批服务局", ("审批局", "行政审批局", "营商办")),
    ("d_fire", "云泽市消防救援支队", ("消防支队", "消防救援支队", "消防")),
    ("d_meteo", "云泽市气象局", ("气象局", "气象台")),
    ("d_civildef", "云泽市人民防空办公室", ("人防办", "人防")),
    ("d_tobacco", "云泽市烟草专卖局", ("烟草专卖局", "烟草局")),
    ("d_sport", "云泽市体育局", ("体育局", "体育")),
    ("d_postal", "云泽市邮政管理局", ("邮政管理局", "邮管局")),
    ("d_women", "云泽市妇女联合会", ("妇联", "市妇联")),
    ("d_union", "云泽市总工会", ("总工会", "市总工会")),
]

# Public-service enterprises answer their own appeals (停水、停电…) like departments do.
_ENTERPRISES: list[tuple[str, str, tuple[str, ...]]] = [
    ("e_water", "云泽水务集团有限公司", ("水务集团", "自来水公司", "供水公司")),
    ("e_gas", "云泽燃气有限公司", ("燃气公司", "燃气", "煤气公司")),
    ("e_power", "云泽供电公司", ("供电公司", "电力公司", "供电局")),
    ("e_bus", "云泽公交集团有限公司", ("公交集团", "公交公司", "公交")),
    ("e_heat", "云泽热力有限公司", ("热力公司", "供热公司", "供暖公司")),
    ("e_telecom", "云泽通信服务公司", ("通信公司", "通信服务公司")),
    ("e_metro", "云泽地铁运营有限公司", ("地铁公司", "地铁")),
    ("e_coach", "云泽长途汽车客运有限公司", ("客运公司", "长途客运站", "汽车站")),
]

# District/county → streets/towns → communities/villages. Only the place names are listed; the
# formal office names are derived below. Counties (县) have 镇/乡 and mostly 村.
# Rows: (district code suffix, district name, is_county, [(street code suffix, street name, [communities])])
_TERRITORY: list[tuple[str, str, bool, list[tuple[str, str, list[str]]]]] = [
    (
        "qingshan",
        "青山区",
        False,
        [
            ("hubin", "湖滨街道", ["翠湖社区", "渔港社区", "明珠社区"]),
            ("qingyun", "青云街道", ["青云社区", "书院社区", "百花社区"]),
            ("wangjiang", "望江街道", ["望江楼社区", "江湾社区"]),
            ("guiyuan", "桂园街道", ["桂园社区", "丹桂社区", "新苑社区"]),
        ],
    ),
    (
        "linjiang",
        "临江区",
        False,
        [
            ("binjiang", "滨江街道", ["滨江社区", "水岸社区", "帆影社区"]),
            ("xingang", "新港街道", ["新港社区", "海运社区"]),
            ("liuan", "柳岸街道", ["柳岸社区", "杨柳青社区", "芳洲社区"]),
            ("shuangqiao", "双桥街道", ["双桥社区", "石板社区"]),
            ("nanmen", "南门街道", ["古井社区", "瓮城社区"]),
        ],
    ),
    (
        "yunhu",
        "云湖区",
        False,
        [
            ("minghu", "明湖街道", ["明湖社区", "碧波社区", "荷塘社区"]),
            ("luzhou", "鹭洲街道", ["鹭洲社区", "白鹭社区"]),
            ("jinping", "锦屏街道", ["锦屏社区", "屏山社区", "锦华社区"]),
            ("gaoxin", "高新街道", ["创业社区", "科苑社区"]),
        ],
    ),
    (
        "beitang",
        "北塘县",
        True,
        [
            ("beitang", "北塘镇", ["北塘社区", "新河村", "杨柳湾村"]),
            ("longquan", "龙泉镇", ["龙泉社区", "石门村", "上坪村"]),
            ("shiqiao", "石桥镇", ["石桥村", "大塘村"]),
            ("baisha", "白沙乡", ["白沙村", "沙岗村", "河口村"]),
        ],
    ),
    (
        "songxi",
        "松溪县",
        True,
        [
            ("songxi", "松溪镇", ["松溪社区", "溪东村", "茶园村"]),
            ("meiling", "梅岭镇", ["梅岭村", "岭下村"]),
            ("xikou", "溪口镇", ["溪口社区", "竹林村", "枫树村"]),
            ("zhuping", "竹坪乡", ["竹坪村", "高岩村"]),
        ],
    ),
]


def _short(place: str, taken: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The place name itself, then its stem without 区/县/街道/镇/乡/社区/村 (e.g. "湖滨").

    The stem is left out when an ancestor already uses it (北塘县 → 北塘镇 → 北塘社区), so that a short
    name points at one unit only.
    """
    for suffix in ("街道", "社区", "区", "县", "镇", "乡", "村"):
        if place.endswith(suffix) and len(place) > len(suffix) + 1:
            stem = place[: -len(suffix)]
            return (place,) if stem in taken else (place, stem)
    return (place,)


def _build_units() -> list[UnitSpec]:
    units = [
        UnitSpec("city", "云泽市人民政府", "department", None, ("市政府", "云泽市政府")),
        UnitSpec(
            "centre",
            "云泽市12345政务服务便民热线中心",
            "centre",
            "city",
            ("12345热线中心", "热线中心", "12345"),
        ),
    ]
    units += [UnitSpec(code, name, "department", "city", short) for code, name, short in _DEPARTMENTS]
    units += [UnitSpec(code, name, "enterprise", "city", short) for code, name, short in _ENTERPRISES]
    for dkey, dname, _is_county, streets in _TERRITORY:
        dcode = f"x_{dkey}"
        dshort = _short(dname)
        units.append(UnitSpec(dcode, f"{CITY_NAME}{dname}人民政府", "district", "city", dshort))
        for skey, sname, communities in streets:
            scode = f"s_{dkey}_{skey}"
            # 街道 has an 办事处; 镇/乡 has its own 人民政府.
            sfull = f"{dname}{sname}办事处" if sname.endswith("街道") else f"{dname}{sname}人民政府"
            sshort = _short(sname, dshort)
            units.append(UnitSpec(scode, sfull, "street", dcode, sshort))
            for i, cname in enumerate(communities, start=1):
                ccode = f"c_{dkey}_{skey}_{i}"
                cfull = f"{sname}{cname}{'村民委员会' if cname.endswith('村') else '居民委员会'}"
                units.append(UnitSpec(ccode, cfull, "community", scode, _short(cname, dshort + sshort)))
    return units


UNITS: list[UnitSpec] = _build_units()

# ---------------------------------------------------------------------------------------------
# Categories: (level-1 name, [(level-2 name, [(leaf name, unit code, territorial)])])
# Codes are positional ("01", "0101", "010101"), so append new entries at the end of a list to keep
# existing codes stable.
# ---------------------------------------------------------------------------------------------

T, F = True, False

_TREE: list[tuple[str, list[tuple[str, list[tuple[str, str, bool]]]]]] = [
    (
        "城乡建设",
        [
            (
                "建筑施工管理",
                [
                    ("建筑工地夜间施工", "d_housing", T),
                    ("工地扬尘污染", "d_housing", T),
                    ("施工安全隐患", "d_housing", F),
                    ("建设工程质量", "d_housing", F),
                    ("渣土车运输撒漏", "d_urban", F),
                ],
            ),
            (
                "征地拆迁",
                [
                    ("征地补偿", "d_nrp", T),
                    ("房屋征收补偿", "d_housing", T),
                    ("安置房建设与分配", "d_housing", T),
                ],
            ),
            (
                "规划与土地",
                [
                    ("规划许可咨询", "d_nrp", F),
                    ("不动产登记", "d_nrp", F),
                    ("违法占用土地", "d_nrp", T),
                    ("老旧小区改造", "d_housing", T),
                ],
            ),
            (
                "市政设施",
                [
                    ("主干道路面破损", "d_urban", F),
                    ("背街小巷路面破损", "d_urban", T),
                    ("井盖缺失破损", "d_urban", F),
                    ("路灯不亮", "d_urban", F),
                    ("排水管网堵塞", "d_water", F),
                    ("人行道与护栏损坏", "d_urban", F),
                ],
            ),
        ],
    ),
    (
        "城市管理",
        [
            (
                "市容秩序",
                [
                    ("占道经营", "d_urban", T),
                    ("流动摊贩", "d_urban", T),
                    ("乱贴小广告", "d_urban", T),
                    ("户外广告牌安全", "d_urban", F),
                    ("店外堆物", "d_urban", T),
                ],
            ),
            (
                "违法建设",
                [
                    ("违章搭建", "d_urban", T),
                    ("楼顶加建", "d_urban", T),
                    ("破坏房屋承重结构", "d_housing", T),
                ],
            ),
            (
                "环境卫生",
                [
                    ("生活垃圾清运不及时", "d_urban", T),
                    ("垃圾分类", "d_urban", T),
                    ("公共厕所管理", "d_urban", F),
                    ("道路清扫保洁", "d_urban", T),
                ],
            ),
            (
                "园林绿化",
                [
                    ("树木修剪", "d_urban", T),
                    ("毁绿占绿", "d_urban", T),
                    ("公园管理", "d_urban", F),
                ],
            ),
        ],
    ),
    (
        "交通运输",
        [
            (
                "公共交通",
                [
                    ("公交线路调整建议", "e_bus", F),
                    ("公交车服务质量", "e_bus", F),
                    ("公交站台设施", "e_bus", F),
                    ("地铁运营服务", "e_metro", F),
                    ("公交卡与乘车码", "e_bus", F),
                ],
            ),
            (
                "出租车与网约车",
                [
                    ("出租车拒载", "d_transport", F),
                    ("出租车绕路多收费", "d_transport", F),
                    ("网约车", "d_transport", F),
                ],
            ),
            (
                "道路交通管理",
                [
                    ("交通信号灯故障", "d_police", F),
                    ("机动车违法停车", "d_police", T),
                    ("交通标志标线", "d_police", F),
                    ("非机动车乱停放", "d_urban", T),
                    ("交通违法行为举报", "d_police", F),
                ],
            ),
            (
                "道路运输",
                [
                    ("长途客运", "e_coach", F),
                    ("货车超限超载", "d_transport", F),
                    ("驾校培训", "d_transport", F),
                    ("共享单车管理", "d_transport", F),
                ],
            ),
        ],
    ),
    (
        "劳动和社会保障",
        [
            (
                "劳动关系",
                [
                    ("拖欠工资", "d_hrss", F),
                    ("拖欠农民工工资", "d_hrss", F),
                    ("劳动合同纠纷", "d_hrss", F),
                    ("工伤认定", "d_hrss", F),
                    ("加班与休假", "d_hrss", F),
                ],
            ),
            (
                "社会保险",
                [
                    ("社保缴费咨询", "d_hrss", F),
                    ("养老金发放", "d_hrss", F),
                    ("失业保险金申领", "d_hrss", F),
                    ("社保卡办理", "d_hrss", F),
                    ("社保关系转移", "d_hrss", F),
                ],
            ),
            (
                "就业创业",
                [
                    ("就业招聘", "d_hrss", F),
                    ("职业技能培训补贴", "d_hrss", F),
                    ("创业担保贷款", "d_hrss", F),
                    ("人才引进政策", "d_hrss", F),
                ],
            ),
            (
                "住房公积金",
                [
                    ("公积金提取", "d_hpf", F),
                    ("公积金贷款", "d_hpf", F),
                    ("公积金缴存", "d_hpf", F),
                ],
            ),
        ],
    ),
    (
        "医疗卫生",
        [
            (
                "医疗服务",
                [
                    ("医院服务态度", "d_health", F),
                    ("就医挂号难", "d_health", F),
                    ("医疗纠纷", "d_health", F),
                    ("社区卫生服务", "d_health", F),
                ],
            ),
            (
                "医疗保障",
                [
                    ("医保报销", "d_medins", F),
                    ("医保参保缴费", "d_medins", F),
                    ("异地就医备案", "d_medins", F),
                    ("门诊慢特病认定", "d_medins", F),
                    ("骗取医保基金", "d_medins", F),
                ],
            ),
            (
                "公共卫生",
                [
                    ("疫苗接种", "d_health", F),
                    ("蚊虫鼠害防制", "d_health", T),
                    ("非法行医", "d_health", F),
                    ("生育登记与母婴保健", "d_health", F),
                ],
            ),
            (
                "药品器械",
                [
                    ("药品质量", "d_samr", F),
                    ("药店违规销售", "d_samr", F),
                ],
            ),
        ],
    ),
    (
        "教育",
        [
            (
                "基础教育",
                [
                    ("学位申请", "d_edu", F),
                    ("入学划片", "d_edu", F),
                    ("学校收费", "d_edu", F),
                    ("在职教师有偿补课", "d_edu", F),
                    ("校园安全", "d_edu", F),
                ],
            ),
            (
                "校外培训",
                [
                    ("校外培训", "d_edu", F),
                    ("培训机构退费", "d_edu", F),
                ],
            ),
            (
                "学前与学生服务",
                [
                    ("幼儿园入园", "d_edu", F),
                    ("学生资助", "d_edu", F),
                    ("学籍与学历证明", "d_edu", F),
                    ("校车管理", "d_edu", F),
                ],
            ),
        ],
    ),
    (
        "市场监管",
        [
            (
                "食品安全",
                [
                    ("食品安全", "d_samr", F),
                    ("过期变质食品", "d_samr", F),
                    ("无证餐饮", "d_samr", T),
                ],
            ),
            (
                "价格与消费",
                [
                    ("价格欺诈", "d_samr", F),
                    ("预付卡消费纠纷", "d_samr", F),
                    ("商品质量问题", "d_samr", F),
                    ("网络购物纠纷", "d_samr", F),
                    ("缺斤少两", "d_samr", T),
                ],
            ),
            (
                "市场主体监管",
                [
                    ("营业执照办理", "d_approval", F),
                    ("虚假广告", "d_samr", F),
                    ("无照经营", "d_samr", T),
                    ("电梯安全", "d_samr", F),
                ],
            ),
            (
                "烟草市场",
                [
                    ("向未成年人售烟", "d_tobacco", F),
                    ("无证销售卷烟", "d_tobacco", F),
                ],
            ),
        ],
    ),
    (
        "环境保护",
        [
            (
                "噪声污染",
                [
                    ("生活噪音扰民", "d_eco", T),
                    ("商业经营噪音", "d_urban", T),
                    ("工业企业噪音", "d_eco", F),
                    ("交通噪音", "d_transport", F),
                ],
            ),
            (
                "大气污染",
                [
                    ("油烟污染", "d_urban", T),
                    ("工业废气", "d_eco", F),
                    ("露天焚烧", "d_urban", T),
                    ("异味扰民", "d_eco", F),
                ],
            ),
            (
                "水污染",
                [
                    ("河道污染", "d_water", T),
                    ("企业偷排废水", "d_eco", F),
                    ("黑臭水体", "d_water", T),
                ],
            ),
            (
                "固废与辐射",
                [
                    ("危险废物处置", "d_eco", F),
                    ("建筑垃圾乱倒", "d_urban", T),
                    ("电磁辐射", "d_eco", F),
                ],
            ),
        ],
    ),
    (
        "公共安全",
        [
            (
                "社会治安",
                [
                    ("治安隐患", "d_police", F),
                    ("电信网络诈骗", "d_police", F),
                    ("黄赌毒线索", "d_police", F),
                    ("违规燃放烟花爆竹", "d_police", T),
                ],
            ),
            (
                "户政与出入境",
                [
                    ("户籍办理", "d_police", F),
                    ("居住证办理", "d_police", F),
                    ("身份证办理", "d_police", F),
                    ("出入境证件", "d_police", F),
                ],
            ),
            (
                "消防安全",
                [
                    ("消防通道堵塞", "d_fire", T),
                    ("电动车违规充电", "d_fire", T),
                    ("消防设施损坏", "d_fire", T),
                ],
            ),
            (
                "安全生产与防灾",
                [
                    ("安全生产隐患", "d_emergency", T),
                    ("危险化学品", "d_emergency", F),
                    ("防汛排涝", "d_water", T),
                    ("气象灾害预警", "d_meteo", F),
                    ("人防工程", "d_civildef", F),
                ],
            ),
        ],
    ),
    (
        "民政事务",
        [
            (
                "社会救助",
                [
                    ("低保申请", "d_civil", T),
                    ("特困人员供养", "d_civil", T),
                    ("临时救助", "d_civil", T),
                ],
            ),
            (
                "养老服务",
                [
                    ("养老机构服务", "d_civil", F),
                    ("高龄津贴", "d_civil", T),
                    ("居家养老服务", "d_civil", T),
                ],
            ),
            (
                "婚姻殡葬",
                [
                    ("婚姻登记", "d_civil", F),
                    ("殡葬服务", "d_civil", F),
                ],
            ),
            (
                "优抚与助残",
                [
                    ("残疾人补贴", "d_disabled", T),
                    ("残疾证办理", "d_disabled", F),
                    ("退役军人优待", "d_veterans", F),
                    ("退役军人安置", "d_veterans", F),
                ],
            ),
            (
                "基层治理",
                [
                    ("邻里矛盾调解", "d_justice", T),
                    ("法律援助", "d_justice", F),
                    ("社区服务", "d_civil", T),
                ],
            ),
            (
                "权益保障",
                [
                    ("家庭暴力求助", "d_women", T),
                    ("妇女儿童权益", "d_women", F),
                    ("职工权益维护", "d_union", F),
                ],
            ),
        ],
    ),
    (
        "农业农村",
        [
            (
                "农业生产",
                [
                    ("农资质量", "d_agri", F),
                    ("种粮补贴", "d_agri", T),
                    ("动物防疫", "d_agri", T),
                ],
            ),
            (
                "农村管理",
                [
                    ("村务公开", "d_agri", T),
                    ("宅基地管理", "d_nrp", T),
                    ("农村道路", "d_transport", T),
                    ("农村人居环境", "d_agri", T),
                    ("土地流转纠纷", "d_agri", T),
                ],
            ),
            (
                "林业水利",
                [
                    ("乱砍滥伐", "d_forestry", T),
                    ("森林防火", "d_forestry", T),
                    ("农田灌溉", "d_water", T),
                ],
            ),
        ],
    ),
    (
        "住房保障与物业",
        [
            (
                "物业管理",
                [
                    ("小区物业服务", "d_housing", T),
                    ("物业收费", "d_housing", T),
                    ("业主委员会", "d_housing", T),
                    ("物业纠纷", "d_housing", T),
                    ("小区环境卫生", "d_housing", T),
                    ("小区公共设施维修", "d_housing", T),
                ],
            ),
            (
                "房屋交易",
                [
                    ("房屋质量", "d_housing", F),
                    ("商品房延期交房", "d_housing", F),
                    ("房产中介", "d_housing", F),
                    ("房屋租赁纠纷", "d_housing", T),
                    ("购房办证难", "d_nrp", F),
                ],
            ),
            (
                "住房保障",
                [
                    ("公租房申请", "d_housing", F),
                    ("保障房分配", "d_housing", F),
                    ("危房鉴定", "d_housing", T),
                ],
            ),
        ],
    ),
    (
        "公用事业",
        [
            (
                "供水",
                [
                    ("停水", "e_water", F),
                    ("水质问题", "e_water", F),
                    ("水费缴纳", "e_water", F),
                    ("供水管道漏水", "e_water", F),
                ],
            ),
            (
                "供电",
                [
                    ("停电", "e_power", F),
                    ("电压不稳", "e_power", F),
                    ("电费争议", "e_power", F),
                    ("电力设施隐患", "e_power", F),
                ],
            ),
            (
                "供气",
                [
                    ("燃气泄漏隐患", "e_gas", F),
                    ("燃气开户与缴费", "e_gas", F),
                    ("燃气安检服务", "e_gas", F),
                ],
            ),
            (
                "供热",
                [
                    ("供暖温度不达标", "e_heat", F),
                    ("供热收费", "e_heat", F),
                    ("暖气管道漏水", "e_heat", F),
                ],
            ),
            (
                "通信邮政",
                [
                    ("手机信号差", "e_telecom", F),
                    ("宽带故障", "e_telecom", F),
                    ("通信线缆杂乱", "e_telecom", F),
                    ("快递服务", "d_postal", F),
                ],
            ),
        ],
    ),
    (
        "文化旅游",
        [
            (
                "旅游市场",
                [
                    ("旅游投诉", "d_culture", F),
                    ("景区管理", "d_culture", F),
                    ("导游与旅行社", "d_culture", F),
                ],
            ),
            (
                "文化市场",
                [
                    ("网吧接纳未成年人", "d_culture", F),
                    ("广场舞噪音", "d_culture", T),
                    ("公共文化场馆", "d_culture", F),
                ],
            ),
            (
                "体育健身",
                [
                    ("全民健身设施", "d_sport", T),
                    ("体育场馆开放", "d_sport", F),
                ],
            ),
        ],
    ),
    (
        "政务服务",
        [
            (
                "营商环境",
                [
                    ("营商环境投诉", "d_approval", F),
                    ("企业开办", "d_approval", F),
                    ("惠企政策咨询", "d_miit", F),
                    ("涉企乱收费", "d_ndrc", F),
                ],
            ),
            (
                "税费服务",
                [
                    ("税费咨询", "d_tax", F),
                    ("发票开具", "d_tax", F),
                    ("个人所得税汇算", "d_tax", F),
                ],
            ),
            (
                "政务服务效能",
                [
                    ("窗口服务态度", "d_data", F),
                    ("办事材料繁琐", "d_data", F),
                    ("网上办事平台", "d_data", F),
                    ("工作人员作风", "d_data", F),
                ],
            ),
            (
                "其他政府事务",
                [
                    ("统计调查", "d_stats", F),
                    ("财政补贴资金", "d_finance", F),
                    ("信访事项办理", "d_petition", F),
                ],
            ),
        ],
    ),
    (
        "商贸流通",
        [
            (
                "商贸服务",
                [
                    ("农贸市场管理", "d_commerce", T),
                    ("加油站服务", "d_commerce", F),
                    ("二手车交易", "d_commerce", F),
                    ("家政服务", "d_commerce", F),
                    ("再生资源回收", "d_commerce", T),
                ],
            ),
        ],
    ),
    (
        "其他",
        [
            (
                "其他事项",
                [
                    ("热线工作意见建议", "d_data", F),
                    ("表扬感谢", "d_data", F),
                    ("其他诉求", "d_data", F),
                ],
            ),
        ],
    ),
]


def _build_categories() -> list[CategorySpec]:
    out: list[CategorySpec] = []
    for i, (l1name, l2s) in enumerate(_TREE, start=1):
        c1 = f"{i:02d}"
        out.append(CategorySpec(c1, l1name, None))
        for j, (l2name, leaves) in enumerate(l2s, start=1):
            c2 = f"{c1}{j:02d}"
            out.append(CategorySpec(c2, l2name, c1))
            for k, (leaf, unit, territorial) in enumerate(leaves, start=1):
                out.append(CategorySpec(f"{c2}{k:02d}", leaf, c2, unit=unit, territorial=territorial))
    return out


CATEGORIES: list[CategorySpec] = _build_categories()


def units_by_code() -> dict[str, UnitSpec]:
    return {u.code: u for u in UNITS}


def categories_by_code() -> dict[str, CategorySpec]:
    return {c.code: c for c in CATEGORIES}


def leaf_categories() -> list[CategorySpec]:
    return [c for c in CATEGORIES if len(c.code) == 6]


def place_name(unit: UnitSpec) -> str:
    """The name used in addresses: "青山区", "湖滨街道", "翠湖社区"; the full name for other units."""
    if unit.kind in ("district", "street", "community") and unit.short_names:
        return unit.short_names[0]
    return unit.name
