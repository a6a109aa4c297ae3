"""What customers, staff and departments write on the demo's tickets, in their own words.

Placeholders: ``{product}`` (the product's name), ``{unit}``, ``{missing}``, ``{ordered}``,
``{got}``, ``{amount}`` (yuan), ``{order}`` (an order number), ``{customer}``, ``{route}``.
"""

from __future__ import annotations

from typing import NamedTuple


class Voice(NamedTuple):
    """A complaint as the customer put it: the subject staff typed, the customer's words
    (kept verbatim as the description) and what the customer asks for."""

    subject: str
    said: str
    wants: str


LATE = {
    "household": (
        Voice(
            "说好周六送的米拖到了周一",
            "你们说周六上午送米，我在家等了一整天，结果今天周一才送来。家里米早就吃完了，"
            "周末只好去超市买了一小袋。",
            "以后送不到提前打个电话说一声",
        ),
        Voice(
            "米晚到了一天",
            "昨天一直在家等，没人来也没人通知，今天才送到。",
            "下次准时，晚了要提前说",
        ),
        Voice(
            "送货又晚了",
            "这个月第二次晚送了，家里老人专门在家等了一上午。",
            "希望按约定的时间送",
        ),
        Voice(
            "{product}晚送了",
            "下单的时候说好的日子没送，第二天才来。我们上班的人请假等货很麻烦。",
            "以后准时，或者提前发个微信",
        ),
    ),
    "business": (
        Voice(
            "米晚到一天，耽误了午市",
            "昨天的{product}今天才送到，昨天中午只能临时去批发市场买，多花了一百多块钱。",
            "补偿差价，以后保证准时",
        ),
        Voice(
            "送货晚了，厨房差点断货",
            "说好的时间没送到，第二天才来，厨师长很不高兴，差点开不了档。",
            "给个说法，下次不能再这样",
        ),
        Voice(
            "{product}没按时送",
            "你们的车又晚了一天，我们备菜全乱了。再这样我们要考虑换供应商了。",
            "赔偿损失，保证以后准时",
        ),
    ),
    "institution": (
        Voice(
            "食堂的米晚到了一天",
            "食堂 7 点开早餐，米第二天才到，只好先向隔壁食堂借了两袋。",
            "以后务必提前一天送到",
        ),
    ),
}

SHORT = {
    "household": (
        Voice(
            "少送了{missing}{unit}{product}",
            "订了{ordered}{unit}，只送来{got}{unit}，师傅说仓库不够了。剩下的什么时候送？",
            "尽快补送",
        ),
        Voice(
            "{product}数量不对",
            "送货单上写的是{ordered}{unit}，实际只收到{got}{unit}。",
            "把少的补上",
        ),
    ),
    "business": (
        Voice(
            "{product}少了{missing}{unit}",
            "今天的货点了一下，{product}少了{missing}{unit}，送货单上写的是{ordered}{unit}。"
            "晚市要用，麻烦尽快补上。",
            "今天之内补齐",
        ),
        Voice(
            "到货少了{missing}{unit}",
            "收货的时候厨师长数了两遍，{product}就是少{missing}{unit}，司机也承认了。",
            "补送，别耽误明天用",
        ),
    ),
}

SHORT_REFUND = Voice(
    "少送的{product}不用补了",
    "上次少送的{missing}{unit}{product}不用补了，我们已经在别处买了，直接退钱吧。",
    "退还少送部分的货款",
)

QUALITY = {
    ("damaged", "RICE"): (
        Voice(
            "米袋破了，撒了一地",
            "刚送来的{product}袋子破了个口子，撒了一地米，照片发到微信上了。",
            "换一袋新的",
        ),
        Voice("{product}包装破损", "袋子开线了，米漏了不少，也不知道有没有进灰。", "换货"),
        Voice(
            "又是破袋",
            "这已经是第二次收到破袋的米了，你们的袋子是不是换薄了？",
            "换一袋，以后包装结实点",
        ),
    ),
    ("damaged", "OIL"): (
        Voice("油桶漏油", "{product}桶底在渗油，厨房地上一滩油，差点滑倒。", "换一桶"),
        Voice("油桶压瘪了", "送来的{product}桶身压瘪了，盖子也松了。", "换一桶新的"),
    ),
    ("damaged", "BIN"): (
        Voice("米桶磕坏了", "新买的{product}盖子裂了一道缝，密封不了。", "换一个"),
    ),
    ("wrong_item", ""): (
        Voice("送错货了", "我订的是{product}，送来的不是这个，规格也不对。", "换回我订的"),
        Voice(
            "送成了别家的货",
            "今天收到的货根本不是我们订的，送货单上也是别人的名字。",
            "把我们的货送来",
        ),
    ),
    ("expired", ""): (
        Voice("米受潮结块", "打开{product}发现米受潮结块了，还有股霉味，不敢吃。", "退货退款"),
        Voice("油有哈喇味", "这桶{product}一打开就有哈喇味，是不是放久了？", "换一桶新鲜的"),
    ),
}

# A problem found when the bag is opened, days after a delivery recorded as OK.
FOUND_LATER = (
    (
        "contaminated",
        Voice(
            "米里有虫",
            "上周送的{product}今天打开，里面有好几只米虫，家里有小孩，不敢吃了。",
            "退货或者换一袋",
        ),
    ),
    (
        "expired",
        Voice("米有霉味", "前几天送的{product}，今天拆开一股霉味，米粒发黄。", "换新的，查查仓库"),
    ),
    (
        "contaminated",
        Voice("米里有小石子", "{product}煮饭吃出了两颗小石子，差点把牙硌了。", "给个说法"),
    ),
)

STAFF = {
    "household": (
        Voice(
            "送货师傅态度不好",
            "师傅把米放在楼下就走了，我七十多岁扛不上六楼，打电话他说赶时间。",
            "道歉，以后送上楼",
        ),
        Voice(
            "客服电话没人接",
            "上午打了三次电话都没人接，微信也不回，米都快吃完了。",
            "有人及时回复",
        ),
    ),
    "business": (
        Voice(
            "司机收货时态度很差",
            "我们的人说了一句袋子破了，司机就不耐烦，把货一扔就走了。",
            "道歉，换个司机",
        ),
        Voice(
            "业务员不回消息",
            "找了两天业务员都不回消息，订单改不了，差点耽误进货。",
            "有人及时处理",
        ),
    ),
}

BILLING = {
    "household": (
        Voice(
            "微信重复付款",
            "昨天付款的时候网络卡了，付了两次{amount}元，麻烦退一笔。",
            "退回多付的钱",
        ),
        Voice(
            "收费不对",
            "这次{product}收的价钱比上次贵了，也没人通知涨价。",
            "解释清楚，多收的退回",
        ),
    ),
    "business": (
        Voice(
            "对账单多算了一桶油",
            "这个月对账单上多了一桶{product}，我们根本没收到，送货单上也没签字。",
            "对账单改过来",
        ),
        Voice(
            "发票抬头开错",
            "增值税发票抬头开成了我们老店的名字，财务说报不了，麻烦重开。",
            "重开发票",
        ),
        Voice("价格和合同不符", "合同价是按九三折算的，这个月的单价按原价算了。", "按合同价重算"),
    ),
}

FIRST_REPLY = (
    "您好，收到您的反馈，非常抱歉给您添麻烦了！我马上核实，尽快给您答复。",
    "{name}您好，实在抱歉！我这就去仓库和车队查一下，今天给您回电话。",
    "收到，已经在查了，稍后给您电话。",
    "您好，这边已经登记了，我先和司机确认一下情况。",
)

ASK_PHOTO = (
    "麻烦您拍一下包装和送货单的照片发给我们，方便跟仓库核对。",
    "方便的话请拍张照片发到微信上，我们好跟厂家反映。",
)

PHOTO_SENT = ("照片已经发到微信上了。", "发了，你们看一下。", "拍好了，刚发过去。")

REMEDY_REPLY = {
    "redeliver": (
        "已安排明天上午补送{missing}{unit}{product}，司机到了会先给您打电话。再次抱歉！",
        "补送的货今天下午送到，麻烦您签收时点一下数量。",
    ),
    "refund": (
        "少送/有问题部分的货款{amount}元已原路退回，请注意查收。",
        "已给您退款{amount}元，一般一到三个工作日到账。",
    ),
    "credit": (
        "这次在下期对账单里给您抵扣{amount}元，算是我们的一点心意。",
        "经理同意在下次货款里减{amount}元，给您添麻烦了。",
    ),
    "apology": (
        "已经跟车队和仓库通报了，以后会提前通知。非常抱歉，谢谢您的理解！",
        "实在抱歉，这件事我们已经内部处理了，以后一定注意。",
        "已经当面向您道歉，并且跟相关同事谈过了。谢谢您告诉我们。",
    ),
}

# Internal notes: per root cause, and per defect for quality.
CAUSE_NOTE = {
    "late": (
        "查了派车记录，确实是车晚了，司机说路上耽误了。",
        "成华线周六只有一个司机，排在最后，已反映给车队。",
    ),
    "short": (
        "查了出库单，确实少拣了，货架数和系统数对不上。",
        "仓库说当天库存不够，应该提前通知客户的。",
    ),
    "damaged": (
        "看了照片，包装确实破了，不是客户的问题。",
        "跟仓库确认过，同批次还有几袋有同样问题。",
    ),
    "wrong_item": ("查了拣货单，确实拿错了，两个客户的货放在一起了。",),
    "spoiled": (
        "同批次库存抽查了几袋，也有同样问题，已封存这一批。",
        "查了这批货的入库记录，验收时水分偏高。",
    ),
    "staff": ("找司机了解过情况，已经批评教育。", "经理已经跟当事同事谈过话。"),
    "billing": ("财务核对过，确实是我们这边录错了。", "对过送货单，客户说的没错。"),
}

REOPEN_SAID = (
    "补送的还是少了一袋，你们再看看。",
    "换来的那桶也有点渗油，麻烦再处理一下。",
    "退款还没到账，已经一个星期了。",
)
REOPEN_DONE = ("已重新处理，这次确认没问题了。", "已经跟进，问题解决了，抱歉让您又跑一趟。")

# Requests, questions and returns: (groups, kind, priority, subject, the customer's words,
# the first reply, the answer that resolves it, the question asked back (or ""), the answer).
TOPICS = (
    (
        ("household",),
        "request",
        "normal",
        "下周暂停一次送货",
        "下周回老家，家里没人，这次先别送了。",
        "好的，已经帮您把下周的送货取消了，回来后告诉我一声。",
        "已暂停，下次按原来的时间送。",
        "",
        "",
    ),
    (
        ("household",),
        "request",
        "low",
        "想改到周六上午送",
        "平时上班没人在家，能不能改成周六上午送？",
        "可以的，我看一下周六的线路安排。",
        "已改成每周六上午 9 点到 11 点之间送。",
        "",
        "",
    ),
    (
        ("household",),
        "request",
        "normal",
        "换成五常米试试",
        "这次想换成五常稻花香试试，价钱是多少？",
        "五常稻花香 10 kg 是 152 元，要不要先来一袋 5 kg 的试试？",
        "已经帮您改好了，下次送五常米 5 kg。",
        "您要 5 kg 的还是 10 kg 的？",
        "先来 5 kg 的吧。",
    ),
    (
        ("household",),
        "request",
        "normal",
        "搬家了，改送货地址",
        "我们搬家了，以后送到新地址。",
        "好的，麻烦把新地址发给我。",
        "新地址已经更新，下次送货按新地址。",
        "麻烦发一下新地址和门牌号。",
        "新地址发你微信了，12 栋 2 单元 1503。",
    ),
    (
        ("household",),
        "question",
        "low",
        "新米什么时候到",
        "今年的新米什么时候有？去年的东北米挺好吃。",
        "东北新米一般 11 月初到货，到了第一时间通知您。",
        "新米已经到货了，这次就给您送新米。",
        "",
        "",
    ),
    (
        ("household",),
        "question",
        "normal",
        "五常米是不是正宗的",
        "你们的五常稻花香有没有溯源码？",
        "有的，每袋都有防伪溯源码，扫码能查到产地。",
        "已经发了溯源说明给您，有问题随时问我。",
        "",
        "",
    ),
    (
        ("household",),
        "question",
        "low",
        "有没有小包装的米",
        "家里就两个人，10 kg 吃不完，有没有小包装？",
        "有 5 kg 的，东北大米、五常和泰国香米都有。",
        "已经帮您下次改成 5 kg 的东北大米。",
        "",
        "",
    ),
    (
        ("household", "restaurant"),
        "question",
        "normal",
        "油价为什么涨了",
        "这个月菜籽油又涨了，能不能说一下为什么？",
        "今年菜籽收购价上涨，厂家出厂价调了两次，我们只跟涨了一部分。",
        "已经把厂家的调价通知发给您了。",
        "",
        "",
    ),
    (
        ("restaurant",),
        "request",
        "high",
        "下周开始每天多送两袋",
        "下周我们店搞活动，每天多送两袋 25 kg 的丝苗米。",
        "收到，我跟仓库确认一下库存。",
        "已经确认，下周每天多送两袋，送货单会单独列出来。",
        "",
        "",
    ),
    (
        ("restaurant", "institution"),
        "request",
        "normal",
        "开增值税专用发票",
        "这个月的货款要开专票，开票信息发给你们了。",
        "好的，财务今天开好寄出。",
        "专票已经开好，快递单号发您微信了。",
        "麻烦再确认一下税号和开户行。",
        "税号没错，开户行是成都农商银行。",
    ),
    (
        ("restaurant",),
        "request",
        "normal",
        "送货时间改到下午",
        "以后能不能下午两点半以后送？上午后门堵车卸不了货。",
        "我跟车队商量一下下午的线路。",
        "已改成下午 2:30 到 4:30 之间送。",
        "",
        "",
    ),
    (
        ("restaurant",),
        "question",
        "normal",
        "能不能按月结账",
        "现在是每两周结一次，能不能改成按月结？",
        "这个需要经理批准，我先帮您申请。",
        "经理同意了，从下个月开始按月结。",
        "",
        "",
    ),
    (
        ("institution",),
        "request",
        "high",
        "寒假停送通知",
        "学校下周放寒假，食堂停送，开学前一周再恢复。",
        "收到，寒假期间的送货全部暂停。",
        "已暂停，开学前一周我会主动联系您。",
        "",
        "",
    ),
    (
        ("institution",),
        "request",
        "normal",
        "送货车辆进校登记",
        "下周开始送货车要提前一天报车牌，门卫才放行。",
        "好的，麻烦把登记方式发给我们。",
        "车队已经按要求提前报车牌了。",
        "需要报给谁？电话多少？",
        "报给后勤处王老师，电话发你了。",
    ),
    (
        ("household",),
        "return",
        "normal",
        "米桶尺寸不对，想换大的",
        "买的 15 kg 米桶太小了，能换成 25 kg 的吗？",
        "可以换，补差价 21 元就行。",
        "已经换成 25 kg 的米桶，旧的司机带回了。",
        "",
        "",
    ),
    (
        ("household", "restaurant"),
        "return",
        "normal",
        "多订了一桶油，没开封想退",
        "不小心多订了一桶油，还没开封，能退吗？",
        "没开封的可以退，司机下次送货时带回。",
        "油已经收回，货款退回了。",
        "",
        "",
    ),
    (
        ("restaurant",),
        "return",
        "normal",
        "陈米想退",
        "这批米是去年的陈米，我们要当季新米。",
        "抱歉，我马上跟仓库核实批次。",
        "已经换成新米，旧的拉回仓库了。",
        "麻烦拍一下袋子上的生产日期。",
        "照片发了，生产日期是去年的。",
    ),
)

# Hand-offs between departments: (asking department, department asked, priority, subject,
# description, acknowledgement, done).
HANDOFFS = (
    (
        "INT-DELIVERY",
        "INT-WAREHOUSE",
        "high",
        "{route} 线装车少了{missing}袋{product}",
        "今早装车核对，{route} 线少了{missing}袋{product}，车 8 点要出发，请尽快补拣。",
        "收到，马上补拣。",
        "已补拣{missing}袋，放在 3 号装车位。",
    ),
    (
        "INT-DELIVERY",
        "INT-WAREHOUSE",
        "normal",
        "装车时发现{missing}袋{product}破袋",
        "装车时发现{missing}袋{product}破了，已经拿下来，请换好的。",
        "收到，破袋拉回退货区。",
        "已经换好，破袋登记报损。",
    ),
    (
        "INT-KITCHEN",
        "INT-WAREHOUSE",
        "normal",
        "本周领的米受潮结块",
        "厨房本周领的东北大米有两袋受潮结块，请换货。",
        "收到，下午去厨房看一下。",
        "已换两袋新米，受潮的查了库位，是靠墙那排漏水。",
    ),
    (
        "INT-KITCHEN",
        "INT-WAREHOUSE",
        "low",
        "下周领油改到周二",
        "下周三厨房检修，领油改到周二上午。",
        "可以，周二上午 9 点备好。",
        "已改好。",
    ),
    (
        "INT-WAREHOUSE",
        "INT-PURCHASING",
        "normal",
        "东北大米 10 kg 新包装袋太薄",
        "东北大米 10 kg 换了新袋子以后破袋多了，本周又破了{missing}袋，请跟米厂交涉换回厚袋。",
        "收到，今天联系米厂。",
        "米厂同意下批起换回加厚编织袋，本月破袋损失由米厂承担。",
    ),
    (
        "INT-WAREHOUSE",
        "INT-PURCHASING",
        "normal",
        "泰国香米到货数量不符",
        "今天到的泰国茉莉香米 5 kg 比单据少了{missing}袋，请跟供应商核对。",
        "收到，我找供应商要装箱单。",
        "供应商承认少发，下批补齐。",
    ),
    (
        "INT-PURCHASING",
        "INT-WAREHOUSE",
        "normal",
        "周四到货 20 吨东北大米，请预留库位",
        "周四上午到 20 吨东北大米，请预留库位并安排验收，注意查水分。",
        "收到，周四上午安排两个人验收。",
        "已验收入库，水分 14.2%，合格。",
    ),
    (
        "INT-PURCHASING",
        "INT-WAREHOUSE",
        "low",
        "盘点大豆油库存",
        "月底要下大豆油订单，请盘点一下 20 L 桶的实际库存。",
        "好的，明天上午盘。",
        "已盘点，实际比系统少 3 桶，已调整。",
    ),
    (
        "INT-WAREHOUSE",
        "INT-DELIVERY",
        "normal",
        "退回的空油桶请带回",
        "上周几家餐厅的空油桶还没收回，请各线路顺路带回。",
        "收到，这周各线路顺路收。",
        "空桶已全部收回。",
    ),
    (
        "INT-CS",
        "INT-DELIVERY",
        "normal",
        "{customer}换地址了",
        "{customer}搬到新地址，下次送货请按新地址，客户要求送货前打电话。",
        "收到，已改路线单。",
        "已按新地址送达。",
    ),
)

# What customer service hands off for a complaint: (subject, description, acknowledgement,
# done); ``{ticket}`` is the complaint's number.
CS_REDELIVER = (
    "补送：{customer} 的{product}{missing}{unit}",
    "客户投诉{ticket}，请安排补送{product}{missing}{unit}，客户要求尽快，送前打电话。",
    "收到，明天第一趟送。",
    "已补送，客户签收。",
)

CS_REPICK = (
    "重新拣货：订单 {order} 少拣{missing}{unit}{product}",
    "客户投诉{ticket}：订单 {order} 的{product}少拣了{missing}{unit}，请重新拣货交配送。",
    "收到，正在拣。",
    "已拣好交车队。",
)
