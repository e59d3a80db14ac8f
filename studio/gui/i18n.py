"""A small en/zh dictionary for the studio's main labels, with a live switch. Qt-free.

Keys are stable English identifiers; a missing translation falls back to English, and a missing key to the
key itself, so a forgotten entry shows up as readable text rather than an error.
"""

from __future__ import annotations

from collections.abc import Callable

from generators.runtime.errors import UnknownNameError
from generators.words.presets import Language  # the studio speaks the languages Vitrine writes copy in
from studio.gui.strings import PANEL_STRINGS


def ui_language(name: str | Language) -> Language:
    """The UI language for a setting's value; anything unknown (an old or mistyped setting) shows English."""
    try:
        return Language.parse(name)
    except UnknownNameError:
        return Language.EN


# key -> (English, Chinese)
STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("Vitrine Studio", "Vitrine 工作室"),
    # navigation
    "nav.catalog": ("Catalog", "商品目录"),
    "nav.product": ("Product", "商品工作区"),
    "nav.batch": ("Batch & export", "批量与导出"),
    "nav.models": ("Models", "模型"),
    "nav.history": ("History", "历史记录"),
    "nav.settings": ("Settings", "设置"),
    # jobs dock
    "jobs.title": ("Jobs", "任务"),
    "jobs.empty": (
        "No jobs yet. Generate captions or copy to see progress here.",
        "暂无任务。生成描述或文案后可在此查看进度。",
    ),
    "jobs.cancel": ("Cancel", "取消"),
    "jobs.details": ("Details", "详情"),
    "jobs.clear": ("Clear finished", "清除已完成"),
    "job.queued": ("Queued", "排队中"),
    "job.running": ("Running", "运行中"),
    "job.done": ("Done", "已完成"),
    "job.failed": ("Failed", "失败"),
    "job.cancelled": ("Cancelled", "已取消"),
    # job cards: one per request type (studio.jobs.requests), " · " between what and for what
    "job.captions": ("Captions · {sku}", "描述 · {sku}"),
    "job.product_step": ("{step} · {sku}", "{step} · {sku}"),
    "job.copy": ("Copy · {sku} · {platforms} {language}", "文案 · {sku} · {platforms} {language}"),
    "job.batch": ("Batch · {recipe} · {count} products", "批量 · {recipe} · {count} 个商品"),
    "job.export": ("Export · {platforms}", "导出 · {platforms}"),
    "job.import": ("Import · {file}", "导入 · {file}"),
    "job.model_status": ("Model status · {profile}", "模型状态 · {profile}"),
    "job.load_models": ("Load models · {profile}", "加载模型 · {profile}"),
    "job.pull_model": ("Download · {role}", "下载 · {role}"),
    "job.search_look": ("Search by look · {query}", "按外观搜索 · {query}"),
    "job.find_similar": ("Find similar · {sku}", "查找相似 · {sku}"),
    "job.complete_look": ("Complete the look · {sku}", "搭配推荐 · {sku}"),
    # catalog
    "catalog.search": ("Search SKU, title, tags…", "搜索 SKU、标题、标签…"),
    "catalog.import": ("Import…", "导入…"),
    "catalog.import_csv": ("Import CSV…", "导入 CSV…"),
    "catalog.import_folder": ("Import folder…", "导入文件夹…"),
    "catalog.all_categories": ("All categories", "全部类别"),
    "catalog.all_status": ("Any status", "全部状态"),
    "catalog.empty": ("No products yet", "还没有商品"),
    "catalog.empty_hint": (
        "Drop a catalog CSV or a folder of product photos here, or click Import.",
        "将商品 CSV 或商品图片文件夹拖到这里，或点击“导入”。",
    ),
    "catalog.report": ("Import report", "导入报告"),
    "catalog.hide": ("Hide", "隐藏"),
    "catalog.report_summary": (
        "{rows} rows: {new} new, {updated} updated, {unchanged} unchanged, {rejected} rejected, {problems} problems",
        "{rows} 行：新增 {new}，更新 {updated}，未变 {unchanged}，拒绝 {rejected}，问题 {problems}",
    ),
    "catalog.unreadable": ("Unreadable", "无法读取"),
    "status.new": ("new", "新建"),
    "status.generated": ("generated", "已生成"),
    "status.approved": ("approved", "已通过"),
    "catalog.products": ("{n} products", "{n} 个商品"),
    "catalog.no_match": ("No products match the search", "没有符合搜索条件的商品"),
    "catalog.no_match_hint": ("Clear the search box or pick another category.", "请清空搜索框或选择其他类别。"),
    # search by look (CLIP retrieval)
    "catalog.look_mode": ("✦ Search by look", "✦ 按外观搜索"),
    "catalog.look_mode_tip": (
        "Describe what you want and press Enter: CLIP ranks the product photos by how well they match. "
        "Click again (or Esc) to go back to keyword search.",
        "描述想要的商品并按回车：CLIP 按图片与描述的匹配程度为商品排序。再次点击（或按 Esc）返回关键词搜索。",
    ),
    "catalog.look_search": (
        "Describe it, e.g. “red summer dress”, then Enter",
        "描述商品，如“红色夏季连衣裙”，按回车搜索",
    ),
    "catalog.open": ("Open", "打开"),
    "catalog.find_similar": ("✦ Find similar", "✦ 查找相似商品"),
    "catalog.searching": ("✦ Ranking the catalog by look for “{query}”…", "✦ 正在按外观为“{query}”排序商品…"),
    "catalog.searching_similar": ("✦ Finding products that look like {sku}…", "✦ 正在查找与 {sku} 相似的商品…"),
    "catalog.look_results": ("✦ {n} products ranked by look for “{query}”", "✦ 按外观为“{query}”排序的 {n} 个商品"),
    "catalog.similar_results": ("✦ {n} products that look like {sku}", "✦ 与 {sku} 外观相似的 {n} 个商品"),
    "catalog.look_skipped": ("{n} without a readable photo left out", "{n} 个商品因没有可读图片未参与排序"),
    "catalog.look_failed": ("Search by look failed: {error}", "按外观搜索失败：{error}"),
    "catalog.clear_look": ("✕ Back to catalog", "✕ 返回目录"),
    "search.placeholder_notice": (
        "CLIP is a placeholder (random weights): this order and its scores are not real.",
        "CLIP 为随机权重的占位模型：此排序和分数并非真实结果。",
    ),
    "search.english_only": (
        "This CLIP reads English only: describe the look in English for a meaningful order.",
        "当前 CLIP 模型只理解英文：请用英文描述外观，排序才有意义。",
    ),
    "search.searched_as": (
        "Searched as “{text}”: Chinese words translated with the attribute vocabulary.",
        "已按“{text}”搜索：中文词语由属性词表译为英文。",
    ),
    "search.match_tip": ("Look match {score}/100 · #{rank}", "外观匹配度 {score}/100 · 第 {rank} 名"),
    "search.similar_tip": ("Similarity {score}/100 · #{rank}", "相似度 {score}/100 · 第 {rank} 名"),
    "search.not_real": (" · placeholder model, not real", " · 占位模型，非真实结果"),
    # product
    "product.empty": ("No product selected", "未选择商品"),
    "product.empty_hint": (
        "Open a product from the Catalog (double-click a thumbnail).",
        "请在商品目录中双击缩略图以打开商品。",
    ),
    "product.tab_captions": ("Captions & attributes", "描述与属性"),
    "product.tab_copy": ("Copy", "文案"),
    "product.generate_captions": ("Generate captions", "生成描述"),
    "product.generate_copy": ("Generate", "生成文案"),
    "product.platform": ("Platform", "平台"),
    "product.tone": ("Tone", "语气"),
    "product.language": ("Language", "语言"),
    "product.attributes": ("Attributes", "属性"),
    "product.captions": ("Captions", "描述"),
    "product.provenance": ("Provenance", "来源信息"),
    "product.no_captions": ("No captions yet", "还没有描述"),
    "product.no_captions_hint": (
        "Click “Generate captions” to describe this product's photo.",
        "点击“生成描述”为商品图片生成描述。",
    ),
    "product.no_copy": ("No copy yet", "还没有文案"),
    "product.no_copy_hint": (
        "Pick a platform, tone and language, then click “Generate copy”.",
        "选择平台、语气和语言，然后点击“生成文案”。",
    ),
    "product.tab_look": ("✦ Complete the look", "✦ 搭配推荐"),
    "look.heading": ("Goes with {sku} · {category}", "与 {sku}（{category}）搭配"),
    "look.unknown_category": ("category unknown", "类别未知"),
    "look.hint": (
        "Items of complementary categories in this catalog, closest in style first. Click one to open it.",
        "本目录中互补类别的商品，风格最接近的排在前面。点击即可打开。",
    ),
    "look.loading": ("Finding items that go with this product…", "正在查找可搭配的商品…"),
    "look.loading_hint": (
        "The first time, CLIP embeds the catalog's photos (see Jobs); later it is instant.",
        "首次运行时 CLIP 会为目录图片计算向量（见“任务”），之后即可立即得到结果。",
    ),
    "look.empty": ("Nothing to pair yet", "暂无可搭配的商品"),
    "look.empty_hint": (
        "Complete the look pairs complementary categories (a t-shirt with jeans, sneakers, a hat…). "
        "Import products of those categories to see suggestions.",
        "搭配推荐会组合互补类别（如 T恤配牛仔裤、运动鞋、帽子）。导入这些类别的商品后即可看到推荐。",
    ),
    "look.failed": ("Could not complete the look", "无法生成搭配推荐"),
    "look.score_tip": (
        "Style similarity to {sku}: {score}/100 · click to open {item}",
        "与 {sku} 的风格相似度：{score}/100 · 点击打开 {item}",
    ),
    "card.approve": ("Approve", "通过"),
    "card.edit": ("Edit", "编辑"),
    "card.save": ("Save", "保存"),
    "card.approved": ("Approved", "已通过"),
    "card.rejected": ("REJECTED", "已拒绝"),
    "card.keep_anyway": ("Keep anyway", "仍然保留"),
    "card.placeholder": ("PLACEHOLDER", "占位模型"),
    "card.placeholder_tip": (
        "Made by a placeholder model with random weights: not real output.",
        "由随机权重的占位模型生成，并非真实结果。",
    ),
    # batch
    "batch.recipe": ("Recipe", "流程"),
    "batch.platforms": ("Platforms", "平台"),
    "batch.run": ("Run batch", "运行批量任务"),
    "batch.export": ("Export", "导出"),
    "batch.open_folder": ("Open output folder", "打开输出文件夹"),
    "batch.empty": ("Nothing to run yet", "暂无可运行的内容"),
    "batch.empty_hint": (
        "Import a catalog first; then choose a recipe and platforms here.",
        "请先导入商品目录，然后在此选择流程和平台。",
    ),
    # models
    "models.role": ("Role", "角色"),
    "models.model": ("Model", "模型"),
    "models.source": ("Source", "来源"),
    "models.size": ("Size", "大小"),
    "models.status": ("Status", "状态"),
    "models.refresh": ("Refresh", "刷新"),
    "models.load": ("Load & test", "加载并测试"),
    "models.profile": ("Profile", "配置"),
    "models.pull": ("Pull selected", "下载所选"),
    "models.hint": (
        "Placeholder models have random weights: outputs are labelled and not meaningful. "
        "Pull real weights with a network, or point a role at a local folder in Settings.",
        "占位模型为随机权重：其输出会被标注且无实际意义。联网后可下载真实权重，或在设置中指定本地文件夹。",
    ),
    # history
    "history.search": ("Search prompt or SKU…", "按提示词或 SKU 搜索…"),
    "history.empty": ("No history yet", "还没有历史记录"),
    "history.empty_hint": (
        "Every generated caption and copy set is recorded here with its provenance.",
        "每次生成的描述和文案都会连同来源信息记录在这里。",
    ),
    # settings
    "settings.device": ("Device", "设备"),
    "settings.threads": ("CPU threads (0 = all)", "CPU 线程数（0 = 全部）"),
    "settings.models_dir": ("Model folder", "模型文件夹"),
    "settings.language": ("UI language", "界面语言"),
    "settings.brand_kit": ("Brand kit", "品牌套件"),
    "settings.save": ("Save settings", "保存设置"),
    "settings.saved": ("Settings saved to {path}", "设置已保存到 {path}"),
    "settings.browse": ("Browse…", "浏览…"),
    "settings.general": ("General", "常规"),
    # menus
    "menu.file": ("&File", "文件(&F)"),
    "menu.edit": ("&Edit", "编辑(&E)"),
    "menu.view": ("&View", "视图(&V)"),
    "menu.language": ("&Language", "语言(&L)"),
    "menu.new_project": ("New project…", "新建项目…"),
    "menu.open_project": ("Open project…", "打开项目…"),
    "menu.quit": ("Quit", "退出"),
    "menu.new_project_title": ("Choose an empty folder for the new project", "选择一个空文件夹作为新项目"),
    "menu.open_project_title": ("Open a project folder", "打开项目文件夹"),
    "menu.not_empty": (
        "{folder} is not empty; choose an empty folder for a new project, or use Open project.",
        "{folder} 不是空文件夹；请选择空文件夹新建项目，或使用“打开项目”。",
    ),
    "menu.project_created": ("New project: {folder}", "已新建项目：{folder}"),
    "app.project": ("Project: {name}", "项目：{name}"),
    "app.job_finished": ("{title}: {state}", "{title}：{state}"),
    # names shown for stored values (data keeps the English key)
    "lang.en": ("English", "英文"),
    "lang.zh": ("Chinese", "中文"),
    "tone.bold": ("bold", "大胆"),
    "tone.luxury": ("luxury", "奢华"),
    "tone.minimal": ("minimal", "简约"),
    "tone.playful": ("playful", "活泼"),
    "tone.professional": ("professional", "专业"),
    "tone.warm": ("warm", "温暖"),
    "platform.amazon": ("Amazon", "Amazon"),
    "platform.shopify": ("Shopify", "Shopify"),
    "platform.taobao": ("Taobao", "淘宝"),
    "platform.tmall": ("Tmall", "天猫"),
    "platform.xiaohongshu": ("Xiaohongshu", "小红书"),
    "platform.douyin": ("Douyin", "抖音"),
    "platform.instagram": ("Instagram", "Instagram"),
    "platform.tiktok": ("TikTok", "TikTok"),
    "platform.generic": ("Generic", "通用"),
    "platform.all": ("all platforms", "全部平台"),  # a job for every platform
    "recipe.full": ("full (everything)", "完整（全部步骤）"),
    "recipe.copy": ("copy", "文案"),
    "recipe.images": ("images", "图片"),
    "recipe.video": ("video", "视频"),
    "step.ingest": ("Photos", "图片整理"),
    "step.caption": ("Captions", "描述"),
    "step.attributes": ("Attributes", "属性"),
    "step.copy": ("Copy", "文案"),
    "step.pairing": ("Pairing", "搭配"),
    "step.tryon": ("Try-on", "试穿"),
    "step.video": ("Video", "视频"),
    "state.pending": ("pending", "等待中"),
    "state.running": ("running", "运行中"),
    "state.done": ("done", "完成"),
    "state.failed": ("failed", "失败"),
    "state.unavailable": ("not available", "不可用"),
    "state.skipped": ("skipped", "已跳过"),
    "state.proposed": ("draft", "草稿"),
    "state.approved": ("approved", "已通过"),
    "state.rejected": ("rejected", "已拒绝"),
    "kind.caption": ("caption", "描述"),
    "kind.copy": ("copy", "文案"),
    "profile.auto": ("auto", "自动"),
    "profile.tiny": ("tiny (placeholders)", "微型（占位模型）"),
    "profile.perf": ("perf (full size, random)", "性能测试（随机权重）"),
    "profile.packaged": ("packaged", "内置模型"),
    "profile.standard": ("standard", "标准"),
    "device.auto": ("auto", "自动"),
    "device.cpu": ("CPU", "CPU"),
    "device.cuda": ("GPU (CUDA)", "GPU (CUDA)"),
    "role.clip": ("image–text matching (CLIP)", "图文匹配 (CLIP)"),
    "role.captioner": ("captions", "图片描述"),
    "role.copywriter": ("copywriter", "文案撰写"),
    "role.txt2img": ("image generation", "图像生成"),
    "role.inpaint": ("inpainting", "局部重绘"),
    "role.person_mask": ("person mask", "人像分割"),
    "role.text_embedder": ("text similarity", "文本相似度"),
    "source.real": ("real", "真实权重"),
    "source.packaged": ("packaged", "内置"),
    "source.placeholder": ("placeholder", "占位模型"),
    "source.missing": ("missing", "缺失"),
    "source.user": ("you", "手动"),
    "source.catalog": ("catalog", "目录"),
    "source.clip": ("CLIP", "CLIP"),
    "source.clip:placeholder": ("CLIP · placeholder", "CLIP · 占位模型"),
    "source.caption": ("caption", "描述"),
    # tables
    "col.sku": ("SKU", "SKU"),
    "col.title": ("Title", "标题"),
    "col.kind": ("Kind", "类型"),
    "col.text": ("Text", "内容"),
    "col.score": ("CLIP", "CLIP"),
    "col.model": ("Model", "模型"),
    "col.state": ("State", "状态"),
    "col.name": ("Attribute", "属性"),
    "col.value": ("Value", "值"),
    "col.source": ("Source", "来源"),
    "col.row": ("Row", "行"),
    "col.column": ("Column", "列"),
    "col.severity": ("Severity", "级别"),
    "col.problem": ("Problem", "问题"),
    "severity.error": ("error", "错误"),
    "severity.warning": ("warning", "警告"),
    "severity.info": ("info", "提示"),
    # product page extras
    "product.conflict_tip": (
        "Conflict — {values}. The catalog's value is used; type a value here to settle it.",
        "冲突 — {values}。当前使用目录中的值；可在此输入值以确认。",
    ),
    "product.placeholder_source_tip": (
        "Predicted by a placeholder CLIP with random weights: not a real prediction.",
        "由随机权重的占位 CLIP 预测，并非真实结果。",
    ),
    "product.withdraw": ("Withdraw approval", "撤回通过"),
    "attr.category": ("category", "类别"),
    "attr.color": ("color", "颜色"),
    "attr.material": ("material", "材质"),
    "attr.pattern": ("pattern", "图案"),
    "attr.style": ("style", "风格"),
    "attr.sleeve": ("sleeve", "袖型"),
    "attr.neckline": ("neckline", "领型"),
    "attr.fit": ("fit", "版型"),
    "attr.occasion": ("occasion", "场合"),
    "attr.size": ("size", "尺码"),
    "attr.currency": ("currency", "币种"),
    "attr.brand": ("brand", "品牌"),
    "attr.gender": ("gender", "性别"),
    "attr.season": ("season", "季节"),
    "product.hide_provenance": ("Hide provenance", "隐藏来源信息"),
    "prov.none": ("No provenance recorded.", "没有记录来源信息。"),
    "prov.placeholder": (
        "<b>PLACEHOLDER</b>: made by a model with random weights; not real output.",
        "<b>占位模型</b>：由随机权重的模型生成，并非真实结果。",
    ),
    "prov.placeholder_tag": ("[placeholder]", "[占位模型]"),
    "prov.models": ("Models", "模型"),
    "prov.seed": ("Seed", "随机种子"),
    "prov.params": ("Params", "参数"),
    "prov.timings": ("Timings", "耗时"),
    "prov.scores": ("Scores", "评分"),
    # history extras
    "history.placeholder": ("⚠ PLACEHOLDER", "⚠ 占位模型"),
    # batch extras
    "batch.mode": ("Export", "导出内容"),
    "batch.mode_best": ("best-ranked (draft)", "排名最高（草稿）"),
    "batch.mode_review": ("approved only", "仅已通过"),
    "batch.step_unavailable": ("{step}: not available yet", "{step}：暂不可用"),
    "batch.out_dir": ("Output folder", "输出文件夹"),
    "batch.include_weak": ("Include weak drafts", "包含低质量草稿"),
    "batch.include_weak_tip": (
        "Also export drafts the quality gate holds back: weak, contradicting the catalog, or written by a placeholder",
        "同时导出质量检查拦下的草稿：质量低、与商品目录矛盾或由占位模型生成",
    ),
    "batch.image_base_url": ("Image base URL", "图片地址前缀"),
    "batch.image_base_url_tip": (
        "Where the exported images will be served from (Shopify and Amazon fetch images by URL)",
        "导出图片的托管地址（Shopify 和亚马逊按网址抓取图片）",
    ),
    "batch.image_base_url_saved": ("Image base URL saved for this project", "已为此项目保存图片地址前缀"),
    "batch.summary_count": ("{state}: {n}", "{state}：{n}"),
    "batch.done_status": (
        "Batch: {ran} steps ran{failed} in {seconds} s",
        "批量任务：运行 {ran} 个步骤{failed}，用时 {seconds} 秒",
    ),
    "batch.failed_count": (", {n} failed", "，{n} 个失败"),
    "batch.exported": ("Export {state}: {n} files", "导出{state}：{n} 个文件"),
    # models extras
    "models.on_disk": ("on disk", "已在本地"),
    "models.missing": ("missing", "缺失"),
    "models.loaded": (
        "loaded in {load} s · forward {forward} s · {detail}",
        "加载 {load} 秒 · 推理 {forward} 秒 · {detail}",
    ),
    "models.placeholder_tip": (
        "Random weights: outputs are labelled PLACEHOLDER.",
        "随机权重：输出会标注为占位模型。",
    ),
    # settings extras
    "settings.profile": ("Model profile", "模型配置"),
    "settings.all_cores": ("all cores", "全部核心"),
    "settings.comma_separated": ("comma-separated", "用逗号分隔"),
    "brand.name": ("Brand name", "品牌名称"),
    "brand.voice_words": ("Voice words", "品牌语气词"),
    "brand.banned_words": ("Never use", "禁用词"),
    "brand.required_phrases": ("Always include", "必含短语"),
    # badges
    "badge.score_tip": (
        "CLIPScore (0–100): how well the text matches the product image",
        "CLIPScore（0–100）：文字与商品图片的匹配程度",
    ),
    "badge.no_score_tip": (
        "Not scored by CLIP (no image, or CLIP is a placeholder)",
        "未经 CLIP 评分（没有图片，或 CLIP 为占位模型）",
    ),
    # misc
    "action.undo": ("Undo", "撤销"),
    "action.redo": ("Redo", "重做"),
    "status.ready": ("Ready", "就绪"),
}
STRINGS.update(PANEL_STRINGS)  # each capability panel's own words (studio/gui/strings/)


class Translator:
    """Looks labels up in the current language and tells listeners when the language changes."""

    def __init__(self, language: str | Language = Language.EN) -> None:
        self._language = ui_language(language)
        self._listeners: list[Callable[[Language], None]] = []

    @property
    def language(self) -> Language:
        return self._language

    def t(self, key: str, **fmt: object) -> str:
        """The label for `key` in the current language, formatted with `fmt`."""
        pair = STRINGS.get(key)
        text = key if pair is None else pair[1] if self._language is Language.ZH and pair[1] else pair[0]
        return text.format(**fmt) if fmt else text

    def name(self, group: str, value: str) -> str:
        """The shown name of a stored value (`tone`, `professional` → "专业"); unknown values show as they are.

        Stored data keeps its English key; only what a person reads is translated.
        """
        key = f"{group}.{value}"
        return self.t(key) if key in STRINGS else value

    def set_language(self, language: str | Language) -> None:
        """Switch language and notify every listener (only when it actually changed)."""
        new = ui_language(language)
        if new is self._language:
            return
        self._language = new
        for listener in list(self._listeners):
            listener(new)

    def subscribe(self, listener: Callable[[Language], None]) -> None:
        self._listeners.append(listener)
