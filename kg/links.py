"""What a URL is: its kind (code, model, dataset, project), canonical name and owner handle,
and the ``Entity`` a link becomes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from kg.model import Entity

CODE_HOSTS = {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "gitee.com"}


def classify(url: str) -> tuple[str, str, str]:
    """``(kind, canonical name, owner)`` of a URL.

    >>> classify("https://github.com/bytedance/HLLM/tree/main")
    ('code', 'github.com/bytedance/HLLM', 'bytedance')
    >>> classify("https://huggingface.co/datasets/m-a-p/COIG-CQIA")
    ('dataset', 'huggingface.co/datasets/m-a-p/COIG-CQIA', 'm-a-p')
    >>> classify("https://huggingface.co/McmanusChen/MCL-base")
    ('model', 'huggingface.co/McmanusChen/MCL-base', 'McmanusChen')
    >>> classify("https://yizhilll.github.io/CIF-Bench/")
    ('project', 'yizhilll.github.io/CIF-Bench', '')
    """
    full = url if "://" in url else f"https://{url}"
    parts = urlsplit(full)
    host = parts.netloc.lower().removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    if host in CODE_HOSTS and len(segments) >= 2:
        repo = segments[1].removesuffix(".git")
        return "code", f"{host}/{segments[0]}/{repo}", segments[0]
    if host in CODE_HOSTS and segments:
        return "code", f"{host}/{segments[0]}", segments[0]
    if host in ("huggingface.co", "hf.co"):
        if segments and segments[0] in ("datasets", "spaces") and len(segments) >= 3:
            kind = "dataset" if segments[0] == "datasets" else "project"
            return kind, f"huggingface.co/{'/'.join(segments[:3])}", segments[1]
        if len(segments) >= 2 and segments[0] not in ("papers", "blog", "docs", "collections"):
            return "model", f"huggingface.co/{segments[0]}/{segments[1]}", segments[0]
        return "project", f"huggingface.co/{'/'.join(segments)}".rstrip("/"), ""
    path = "/".join(segments)
    return "project", f"{host}/{path}" if path else host, ""


def link_entity(url: str, owner_of: Callable[[str], Any] | None = None) -> Entity:
    """The ``Link`` entity of ``url``; ``owner_of(handle)`` maps a repository owner to an
    organization entry (with ``.id``) when the knowledge base knows it.

    >>> link_entity("https://github.com/Bytedance/HLLM.").id
    'link:github.com/bytedance/hllm'
    """
    url = url.rstrip(".,;:")
    kind, name, owner = classify(url)
    org = owner_of(owner) if owner and owner_of is not None else None
    is_org = org is not None and getattr(org, "type", "organization") == "organization"
    org_id = org.id if is_org else ""
    return Entity(id=f"link:{name.lower()}", type="link", name=name, kind=kind, url=url,
                  owner=org_id)
