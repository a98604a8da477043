"""Sample incidents for `antifraud demo`, modelled on the cases in the news reports the product grew from."""

from __future__ import annotations

from datetime import date, timedelta

# (days before today, fields) -- placeholders only; the numbers in summaries show masking at work.
SAMPLE_INCIDENTS = [
    (
        1,
        {
            "category": "medical_insurance",
            "loss": "38000",
            "channel": "phone",
            "victim": "吴女士",
            "victim_age": "45",
            "occupation": "工厂员工",
            "place": "石鼓社区第二网格",
            "summary": "事主接到自称“支付宝客服”的电话（来电17012345678），称其“百万医疗保险”免费期已到，"
            "不关闭每月将自动扣费2000元。对方诱导事主下载会议软件并开启屏幕共享，"
            "以“关闭扣费、清空额度”为由让其把银行卡6222021234567890123内的钱分三次转入指定账户。",
        },
    ),
    (
        1,
        {
            "category": "fake_customer_service",
            "loss": "12600",
            "channel": "qq",
            "victim": "张先生",
            "victim_age": "26",
            "occupation": "工厂员工",
            "place": "石鼓社区第一网格",
            "summary": "事主接到自称快递客服的电话，称其包裹丢失可获三倍理赔，添加QQ后被拉进“理赔群”。"
            "对方以“信用额度不足无法退款”为由，让事主从借呗借款后转账“提高额度”，事后发现被骗。",
        },
    ),
    (
        1,
        {
            "category": "order_brushing",
            "loss": "0",
            "stopped": True,
            "channel": "app",
            "victim_age": "22",
            "occupation": "工厂员工",
            "place": "石鼓社区第三网格",
            "summary": "事主在网上看到“点赞关注返佣金”的兼职广告，前两单收到小额返利；第三单被要求垫付5000元时，"
            "社区民警接到预警及时上门劝阻，未造成损失。",
        },
    ),
    (
        3,
        {
            "category": "impersonate_official",
            "loss": "56000",
            "channel": "phone",
            "victim": "陈女士",
            "victim_age": "58",
            "occupation": "退休人员",
            "place": "石鼓社区第一网格",
            "summary": "事主接到自称公安局民警的电话，称其身份证涉嫌洗钱，对方发来“通缉令”并要求保密，"
            "让事主将存款转入“安全账户”接受资金核查。",
        },
    ),
    (
        4,
        {
            "category": "order_brushing",
            "loss": "8800",
            "channel": "wechat",
            "victim_age": "24",
            "occupation": "工厂员工",
            "place": "石鼓社区第二网格",
            "summary": "事主被拉进微信兼职群做“刷单任务”，连续垫付多单后对方以“卡单”为由要求继续转账，无法提现。",
        },
    ),
    (
        6,
        {
            "category": "fake_investment",
            "loss": "150000",
            "channel": "app",
            "victim": "黄先生",
            "victim_age": "41",
            "occupation": "个体经营者",
            "place": "石鼓社区第五网格",
            "summary": "事主被拉入“荐股群”，在“导师”指导下下载虚假投资App，前期小额盈利可提现，"
            "大额投入后平台以“缴纳保证金”为由拒绝提现。",
        },
    ),
    (
        8,
        {
            "category": "fake_loan",
            "loss": "4500",
            "channel": "app",
            "victim_age": "33",
            "occupation": "工厂员工",
            "place": "石鼓社区第四网格",
            "summary": "事主下载“无抵押秒批”贷款App，被以“银行卡号填错、账户冻结”为由要求先交解冻费。",
        },
    ),
    (
        9,
        {
            "category": "medical_insurance",
            "loss": "0",
            "stopped": True,
            "channel": "phone",
            "victim_age": "52",
            "occupation": "保洁员",
            "place": "石鼓社区第二网格",
            "summary": "事主接到“百万保障关闭扣费”电话后准备下载会议软件，其女儿发现后报警，民警及时劝阻。",
        },
    ),
    (
        12,
        {
            "category": "impersonate_acquaintance",
            "loss": "20000",
            "channel": "wechat",
            "victim": "何女士",
            "victim_age": "36",
            "occupation": "财务人员",
            "place": "石鼓社区第六网格",
            "summary": "事主被拉进冒充公司老板的微信群，“老板”要求向供应商紧急付款，事主未电话核实即转账。",
        },
    ),
    (
        15,
        {
            "category": "fake_shopping",
            "loss": "1280",
            "channel": "qq",
            "victim_age": "19",
            "occupation": "学生",
            "place": "石鼓社区第三网格",
            "summary": "事主在QQ群看到低价演唱会门票，私下转账后对方拉黑。",
        },
    ),
    (
        18,
        {
            "category": "game_trade",
            "loss": "3600",
            "channel": "app",
            "victim_age": "15",
            "occupation": "学生",
            "place": "石鼓社区第一网格",
            "summary": "事主在非官方平台出售游戏账号，对方称账户冻结需交“解冻费”。",
        },
    ),
    (
        21,
        {
            "category": "fake_credit_repair",
            "loss": "27000",
            "channel": "phone",
            "victim_age": "29",
            "occupation": "文员",
            "place": "石鼓社区第四网格",
            "summary": "事主接到自称金融平台客服电话，称其大学期间开通的“学生账户”需注销，"
            "否则影响征信，随后被诱导转账。",
        },
    ),
    (
        24,
        {
            "category": "online_romance",
            "loss": "86000",
            "channel": "app",
            "victim": "刘先生",
            "victim_age": "38",
            "occupation": "工厂员工",
            "place": "石鼓社区第五网格",
            "summary": "事主在交友软件结识“女友”，被带入虚假博彩平台“投资”，充值后无法提现。",
        },
    ),
    (
        27,
        {
            "category": "fake_customer_service",
            "loss": "0",
            "stopped": True,
            "channel": "phone",
            "victim_age": "47",
            "occupation": "工厂员工",
            "place": "石鼓社区第二网格",
            "summary": "事主接到“电商客服”退款电话，准备开启屏幕共享时接到96110劝阻电话，及时挂断。",
        },
    ),
]


def sample_incidents(today: date) -> list[dict]:
    """Raw incident fields (as a person would type them) dated relative to today."""
    return [{"date": (today - timedelta(days=offset)).isoformat(), **fields} for offset, fields in SAMPLE_INCIDENTS]
