"""Which store the service's queries run on, chosen by the settings:

* ``remote_query_url`` set: a remote SPARQL 1.1 store (the service holds no data; replicas are
  stateless);
* ``store_path`` set: the on-disk Oxigraph store, loaded once per release and opened read-only by
  each query worker;
* neither: each query worker loads the release into memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StoreInfo:
    """What the service reports about its store (``/health``, ``/metrics``, ``xiancheng info``)."""
    kind: str                      # memory, disk or remote
    location: str | None
    release: str
    triples: int
    graphs: dict[str, int] = field(default_factory=dict)
    bytes: int | None = None


def open_backend(settings, release):
    """The query backend (``run(job) -> Answer``, ``close()``) for ``settings``."""
    from xiancheng.graph.workers import WorkerPool

    if settings.remote_query_url:
        from xiancheng.graph.remote import RemoteBackend, endpoint_from_settings

        return RemoteBackend(endpoint_from_settings(settings), release, deadline=settings.query_timeout,
                             union_default_graph=settings.remote_union_default_graph)
    if settings.store_path:
        from xiancheng.graph.ondisk import OnDiskStore

        ondisk = OnDiskStore(settings.store_path)
        ondisk.load(release)  # a no-op once the store holds this release
        return WorkerPool(ondisk.worker_source(), size=settings.query_workers,
                          deadline=settings.query_timeout)
    return WorkerPool.for_release(release, size=settings.query_workers, deadline=settings.query_timeout)


def store_info(settings, release) -> StoreInfo:
    graphs = {name: g["triples"] for name, g in release.graphs.items()}
    if settings.remote_query_url:
        return StoreInfo("remote", settings.remote_query_url, release.id, release.triples, graphs)
    if settings.store_path:
        from xiancheng.graph.ondisk import OnDiskStore

        build = OnDiskStore(settings.store_path).current()
        if build is not None and build.release_id == release.id:
            return StoreInfo("disk", str(build.location), release.id, build.meta["triples"],
                             {n: g["triples"] for n, g in build.meta["graphs"].items()},
                             build.size_bytes())
        return StoreInfo("disk", str(settings.store_path), release.id, release.triples, graphs)
    return StoreInfo("memory", str(release.file("nquads")), release.id, release.triples, graphs)
