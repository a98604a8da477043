"""Chinese surnames, for telling 王女士 (allowed) from 小明女士 (a given name) and for spotting full names.

The 百家姓 in its traditional order, then common surnames it lacks (modern simplified forms such
as 肖 and 付, and southern ones such as 覃, 冼, 禤). A station that meets a surname missing here adds
it to EXTRA_SINGLE or EXTRA_COMPOUND.
"""

from __future__ import annotations

BAIJIAXING_SINGLE = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎"
    "鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄"
    "和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭"
    "梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚"
    "程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫"
    "宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴鬱胥能苍双"
    "闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍郤璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容"
    "向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空"
    "曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公"
    "仉督晋楚闫法汝鄢涂钦岳帅缑亢况郈商牟佘佴墨哈谯笪年爱阳佟言福"
)
BAIJIAXING_COMPOUND = (
    "万俟 司马 上官 欧阳 夏侯 诸葛 闻人 东方 赫连 皇甫 尉迟 公羊 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 "
    "公孙 仲孙 轩辕 令狐 钟离 宇文 长孙 慕容 鲜于 闾丘 司徒 司空 亓官 司寇 子车 颛孙 端木 巫马 公西 漆雕 "
    "乐正 壤驷 公良 拓跋 夹谷 宰父 谷梁 段干 百里 东郭 南门 呼延 归海 羊舌 微生 梁丘 左丘 东门 西门 "
    "商牟 伯赏 南宫 第五 有琴"
).split()

EXTRA_SINGLE = (
    "肖付覃代兰冼禤庹谌卿苟敬占粟揭练邝区麦招植伦官邸仝粘雒淦眭檀蹇铁寸綦豆信操朴种员展迟过初泮么栗芦苑续战旷银凃"
)
EXTRA_COMPOUND = ("爱新觉罗", "叶赫那拉", "钮祜禄", "欧阳", "上官", "司马", "诸葛", "东方", "皇甫", "慕容")

SINGLE = frozenset(BAIJIAXING_SINGLE + EXTRA_SINGLE)
COMPOUND = frozenset((*BAIJIAXING_COMPOUND, *EXTRA_COMPOUND))
_LONGEST_FIRST = sorted(COMPOUND, key=len, reverse=True)


def is_surname(text: str) -> bool:
    return text in SINGLE or text in COMPOUND


def surname_of(name: str) -> str | None:
    """The surname a name starts with, compound ones first (欧阳娜娜 -> 欧阳); None when it starts with none."""
    for surname in _LONGEST_FIRST:
        if name.startswith(surname):
            return surname
    return name[:1] if name[:1] in SINGLE else None
