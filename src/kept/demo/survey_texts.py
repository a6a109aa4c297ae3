"""What customers write in the comment box of a survey, verbatim: per segment, and per how
they scored us (good: 4–5, middling: 3, bad: 1–2). English for the few who read English."""

from __future__ import annotations

# Per segment; 成华区 households are on the late route: Saturdays slip to Monday, and they
# forgive it.
COMMENTS = {
    "household": {
        "good": (
            "米很好吃，送得也准时。",
            "师傅很客气，每次都帮忙搬进厨房。",
            "不用自己扛米上楼，太方便了👍",
            "米缸快空了你们就打电话来，比我自己记得还清楚。",
            "东北大米香，孩子爱吃",
            "挺好的，继续保持",
            "价格比超市贵一点点，但是省事。",
            "送货前会先打电话，很贴心。",
        ),
        "middling": (
            "米还行，就是最近涨价了。",
            "送货时间能不能再灵活一点，上班族白天不在家。",
            "一般吧，有一次袋子破了。",
            "微信下单有时候回复比较慢",
            "价格能不能便宜点，隔壁超市在搞活动",
        ),
        "bad": (
            "袋子又破了，撒了一厨房的米。",
            "说好的时间没送到，也没人通知，白等一天。",
            "涨价也不提前说一声！",
            "打了两次电话才有人接。",
            "米里有虫，很失望。",
        ),
    },
    "chenghua": {
        "good": (
            "周六的米拖到周一才到，不过师傅人好，每次都帮我扛上七楼。",
            "下雨天二仙桥那边淹了，晚一天能理解，师傅还专门打电话道歉。",
            "老街坊了，王师傅送了好几年，放心。",
            "偶尔晚一点没关系，米好就行。",
            "送到家门口，还帮我把米倒进米缸，谢谢！",
            "比以前去粮店扛米强多了",
            "我们这栋楼没电梯，全靠你们师傅了🙏",
        ),
        "middling": ("周六能不能准时点？", "晚了一天，家里差点断粮，其他都挺好。"),
        "bad": ("连着两个周六都拖到周一，希望改进。",),
    },
    "restaurant": {
        "good": (
            "米的质量稳定，厨师长满意。",
            "送货准时，后厨收货很顺。",
            "月结方便，对账清楚。",
            "有问题打电话很快就处理了。",
        ),
        "middling": (
            "米价又涨了，隔壁批发市场每斤便宜两毛。",
            "8 点到 10 点的窗口太死，9 点半以后送到我们就来不及备菜。",
            "质量还行，价格没有优势。",
            "周一我们休息，还打电话问要不要送货。",
            "油价涨得太快了，利润都被吃掉了",
            "大豆油经常缺货，只能先送一部分。",
            "能不能给老客户一点折扣？",
        ),
        "bad": (
            "这个月第三次涨价了，再涨我们就换供应商。",
            "午市前送不到，厨房等米下锅，太耽误事。",
            "大豆油又少送两桶，晚市差点不够用。",
            "司机卸货太慢，后门堵了半小时。",
            "对账单又错了，财务对了一下午。",
            "价格比别家贵，服务也就一般。",
        ),
    },
    "institution": {
        "good": (
            "合同价稳定，发票开得及时，省心。",
            "早上 7 点前送到，食堂开餐没耽误过。",
            "有一次晚了，但提前通知了，我们有备货，没影响。",
            "米的品质稳定，学生反映不错。",
            "后勤处很满意，明年继续合作。",
            "老人吃软米，你们每次都给东北大米，很用心。",
        ),
        "middling": ("大单有时候分两次送，希望一次送齐。", "进校登记麻烦，司机偶尔忘了报车牌。"),
        "bad": ("寒假停送说了两次还送来了。",),
    },
    "internal": {
        "good": (
            "补拣很快，半小时就好了。",
            "仓库配合很好，谢谢！",
            "米厂的事处理得很干脆。",
            "车队当天就补送了，客户很满意。",
        ),
        "middling": (
            "处理了，但回复慢了点。",
            "每次都要打电话催才动。",
            "说好下午好，结果第二天早上才弄完。",
        ),
        "bad": (
            "破袋的问题说了三次还没解决。",
            "采购回复太慢，米厂的事拖了一周。",
            "装车单又错了，司机白跑一趟。",
        ),
    },
}

ENGLISH = {
    "good": (
        "Great rice and the driver always carries it up. Thank you!",
        "Reliable, friendly, easy.",
        "Love that you call before the rice runs out.",
    ),
    "middling": ("Prices went up again.", "Delivery window is a bit early for us.", "OK overall."),
    "bad": ("Bag arrived torn, rice everywhere.", "Nobody told us the delivery would be late."),
}
