"""The Batch & export page's executor picker (`studio/gui/pages/batch.py`): key -> (English, Chinese)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "batch.run_on": ("Run on", "运行于"),
    "batch.run_on_local": ("This computer", "本机"),
    "batch.run_on_ray": ("Ray cluster", "Ray 集群"),
    "batch.run_on_tip": (
        "Where each product's steps run; a Ray cluster spreads the products over its workers",
        "每个商品的步骤在哪里运行；Ray 集群会把商品分配给它的各个工作节点",
    ),
    "batch.ray_missing_tip": (
        "Ray is not installed: pip install 'vitrine[ray]'",
        "未安装 Ray：pip install 'vitrine[ray]'",
    ),
    "batch.ray_address_placeholder": ("auto or ray://HOST:PORT", "auto 或 ray://主机:端口"),
    "batch.ray_address_tip": (
        "auto joins the cluster started on this computer; ray://HOST:PORT joins a remote one; "
        "empty starts Ray on this computer for the run",
        "auto 加入本机已启动的集群；ray://主机:端口 加入远程集群；留空则为本次运行在本机启动 Ray",
    ),
}
