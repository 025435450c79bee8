namespace Tongxin.Host.Demo;

/// <summary>
/// Fixed lists the full demo county draws its names from: made-up places (no real county is named), common family
/// names of Chongqing's countryside, and given names usual for children and adults there. Order matters: the seeded
/// random picks by index, so changing a list changes the county.
/// </summary>
internal static class DemoNames
{
    public const string County = "青山县（示范）";

    /// <summary>Eight towns (镇) and one street (街道), each with its villages (村) or communities (社区).</summary>
    public static readonly IReadOnlyList<(string Town, string[] Villages)> Towns =
    [
        ("青龙镇", ["平安村", "团结村", "和平村", "红星村", "幸福村", "新民村", "光明村", "民主村"]),
        ("白鹤镇", ["胜利村", "双河村", "三合村", "五一村", "长岭村", "大坪村", "石桥村", "柏杨村"]),
        ("永安镇", ["高峰村", "桂花村", "金竹村", "青杠村", "黄桷村", "梨树村", "龙井村", "马鞍村"]),
        ("桃源镇", ["清泉村", "水井村", "松林村", "太平村", "天台村", "铁炉村", "万福村", "响水村"]),
        ("石门镇", ["新春村", "杨柳村", "玉龙村", "枣子村", "中心村", "竹林村", "茶园村"]),
        ("清水镇", ["大石村", "东风村", "凤凰村", "观音村", "红岩村", "花园村", "金龙村"]),
        ("龙泉镇", ["九龙村", "莲花村", "六合村", "梅子村", "桥头村", "三星村", "狮子村"]),
        ("新华街道", ["桃花社区", "铜锣社区", "兴隆社区", "永红社区", "鱼泉社区", "中坝社区", "滨江社区"]),
    ];

    public static readonly string[] FamilyNames =
    [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "谭", "向", "冉", "彭", "秦", "何", "罗", "郑",
        "唐", "蒋", "邓", "熊", "袁", "余", "刘", "陈", "李", "王", "张", "杨", "田", "汪", "程", "胡", "曾", "肖", "龚", "邹",
    ];

    public static readonly string[] GirlNames =
    [
        "欣怡", "梓涵", "诗涵", "雨涵", "子涵", "一诺", "可馨", "雨欣", "思琪", "佳怡", "语桐", "若曦", "欣妍", "梦瑶", "紫萱",
        "雅琪", "婉清", "晓雪", "静怡", "心怡", "佳琪", "雨桐", "思雨", "可欣", "书瑶", "馨予", "艺涵", "悦然", "诗琪", "小花",
    ];

    public static readonly string[] BoyNames =
    [
        "浩然", "子轩", "宇轩", "俊杰", "梓豪", "浩宇", "家乐", "明轩", "睿泽", "博文", "天佑", "志强", "子豪", "宇航", "文博",
        "俊熙", "思远", "一鸣", "皓轩", "晨阳", "子墨", "奕辰", "鹏飞", "泽宇", "昊天", "振宇", "立诚", "小明", "家豪", "俊宇",
    ];

    public static readonly string[] WomenNames =
    [
        "秀英", "桂芳", "丽", "静", "敏", "燕", "艳", "娟", "霞", "玲", "红梅", "晓燕", "春燕", "雪梅", "小红", "海燕", "丽华",
        "淑珍", "慧", "婷", "芳", "琴", "兰", "晓琳", "美玲",
    ];

    public static readonly string[] MenNames =
    [
        "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "建国", "志强", "文斌", "海波",
        "建军", "德明", "光荣", "国庆", "永红", "长春",
    ];

    public static string Pick(Random random, IReadOnlyList<string> names) => names[random.Next(names.Count)];

    public static string Adult(Random random, bool woman) => Pick(random, FamilyNames) + Pick(random, woman ? WomenNames : MenNames);
}
