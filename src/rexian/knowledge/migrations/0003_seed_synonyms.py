"""The synonym groups every centre starts with: what callers say beside what departments write (医保 ↔ 医疗保障).
Centres edit and add to them in the admin; this only seeds a fresh database."""

from django.db import migrations

GROUPS = [
    ("医保 医疗保障 医疗保险", "群众说“医保”，文件写“医疗保障”"),
    ("公积金 住房公积金", ""),
    ("社保 社会保险", ""),
    ("养老金 养老保险金 退休金 退休工资", ""),
    ("失业金 失业保险金", ""),
    ("低保 最低生活保障 低保金", ""),
    ("个税 个人所得税", ""),
    ("网约车 网络预约出租汽车", ""),
    ("城管 城市管理 综合执法", ""),
    ("违建 违章建筑 违法建设 违章搭建", ""),
    ("电动车 电瓶车 电动自行车", ""),
    ("噪音 噪声", ""),
    ("身份证 居民身份证", ""),
    ("残疾证 残疾人证", ""),
    ("工资 薪水 工钱 薪酬", "欠薪"),
    ("欠薪 拖欠工资 讨薪", ""),
    ("暖气 供暖 供热", ""),
    ("自来水 供水", ""),
    ("煤气 燃气 天然气", ""),
    ("驾照 驾驶证 机动车驾驶证", ""),
    ("房产证 不动产权证书 不动产证", ""),
    ("学位 入学名额", ""),
    ("老年人 老人 长者", ""),
    ("快递 寄递", ""),
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("knowledge", "Synonym")
    if not Synonym.objects.exists():
        Synonym.objects.bulk_create([Synonym(terms=terms, note=note) for terms, note in GROUPS])


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_fulltext")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
