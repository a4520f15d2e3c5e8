"""Search latency and portal throughput on 100,000 bulletins (issue 3).

Loads a province (Đồng Tháp's 102 communes, ten hamlets each) and N bulletins
in every state into a fresh database, then measures:

1. search: the portal's and the staff console's search code path
   (``public.filtered`` + first page + count) over a mix of queries with and
   without filters, reporting p50/p95/max in milliseconds;
2. portal: requests per second of cached list pages served by uvicorn
   (the real middleware stack), from a keep-alive load generator running on
   the same machine.

    .venv/bin/python bench/search.py --database sqlite
    .venv/bin/python bench/search.py --database postgres \
        --postgres-url postgres://postgres@127.0.0.1:5432/gr_i3_bench
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/search.py ...

Results go to docs/benchmarks.md (with the machine: ``nproc``, ``free -g``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (title, category, level, sentences only this kind of bulletin uses)
TOPICS = [
    (
        "Thông báo lũ trên sông Tiền",
        "thien-tai",
        "emergency",
        [
            "Mực nước sông Tiền tại Tân Châu vượt mức báo động ba.",
            "Các hộ ven sông, cồn bãi chuẩn bị di dời người và tài sản.",
            "Lũ thượng nguồn sông Mê Công tiếp tục lên trong ba ngày tới.",
        ],
    ),
    (
        "Cảnh báo triều cường và sạt lở bờ sông",
        "thien-tai",
        "priority",
        [
            "Đỉnh triều dự báo xuất hiện vào chiều tối giữa tháng.",
            "Khu vực đã cắm biển cảnh báo sạt lở, người dân không đến gần.",
            "Gia cố bờ bao, kiểm tra cống để chống ngập vùng trũng.",
        ],
    ),
    (
        "Phòng chống sốt xuất huyết",
        "dich-benh",
        "priority",
        [
            "Số ca sốt xuất huyết tăng so với cùng kỳ năm trước.",
            "Diệt lăng quăng, bọ gậy và ngủ mùng kể cả ban ngày.",
            "Khi sốt cao liên tục hãy đến ngay cơ sở y tế gần nhất.",
        ],
    ),
    (
        "Phòng chống bệnh tay chân miệng ở trẻ em",
        "dich-benh",
        "normal",
        [
            "Rửa tay bằng xà phòng cho trẻ trước khi ăn và sau khi đi vệ sinh.",
            "Lau sàn nhà, đồ chơi bằng dung dịch khử khuẩn.",
            "Trẻ có nốt phỏng nước ở tay, chân, miệng cần được khám ngay.",
        ],
    ),
    (
        "Lịch tiêm chủng mở rộng",
        "y-te",
        "normal",
        [
            "Trạm y tế tiêm vắc xin sởi, rubella cho trẻ dưới năm tuổi.",
            "Phụ huynh mang theo sổ tiêm chủng khi đưa trẻ đi tiêm.",
            "Trẻ được theo dõi ba mươi phút sau tiêm tại trạm.",
        ],
    ),
    (
        "Khám sức khỏe miễn phí cho người cao tuổi",
        "y-te",
        "normal",
        [
            "Người cao tuổi được đo huyết áp, đường huyết miễn phí.",
            "Mang theo thẻ bảo hiểm y tế và căn cước công dân.",
            "Bác sĩ tuyến tỉnh về khám và tư vấn tại hội trường ấp.",
        ],
    ),
    (
        "Khuyến cáo lịch xuống giống lúa né rầy",
        "nong-nghiep-thi-truong",
        "normal",
        [
            "Nông dân xuống giống tập trung, đồng loạt theo lịch né rầy.",
            "Sử dụng giống lúa xác nhận, gieo sạ thưa và bón phân cân đối.",
            "Theo dõi bẫy đèn để phát hiện rầy nâu di trú.",
        ],
    ),
    (
        "Giá lúa tươi tại ruộng",
        "nong-nghiep-thi-truong",
        "normal",
        [
            "Giá lúa tươi tại ruộng dao động tùy giống và chất lượng hạt.",
            "Lúa thơm được thương lái thu mua cao hơn tuần trước.",
            "Bà con cân nhắc thời điểm bán lúa để tránh bị ép giá.",
        ],
    ),
    (
        "Hướng dẫn chăm sóc xoài mùa mưa",
        "nong-nghiep-thi-truong",
        "normal",
        [
            "Tỉa cành, vệ sinh vườn xoài để hạn chế bệnh thán thư.",
            "Bao trái xoài sớm giúp giảm sâu bệnh và tăng giá bán.",
            "Thoát nước tốt cho vườn sau những cơn mưa lớn.",
        ],
    ),
    (
        "Phổ biến Luật Đất đai năm 2024",
        "phap-luat-chinh-sach",
        "normal",
        [
            "Luật Đất đai mở rộng trường hợp được cấp giấy chứng nhận.",
            "Bảng giá đất được xây dựng hằng năm sát giá thị trường.",
            "Bồi thường khi thu hồi đất phải bảo đảm chỗ ở tốt hơn nơi ở cũ.",
        ],
    ),
    (
        "Chính sách bảo hiểm y tế hộ gia đình",
        "phap-luat-chinh-sach",
        "normal",
        [
            "Mức đóng bảo hiểm y tế hộ gia đình giảm dần từ người thứ hai.",
            "Người tham gia được khám chữa bệnh đúng tuyến theo quy định.",
            "Đăng ký tại bưu điện hoặc đại lý thu bảo hiểm ở ấp.",
        ],
    ),
    (
        "Lịch tiếp công dân của Chủ tịch UBND",
        "chi-dao-dieu-hanh",
        "normal",
        [
            "Chủ tịch tiếp công dân định kỳ vào ngày mười lăm hằng tháng.",
            "Công dân đăng ký trước tại bộ phận một cửa.",
            "Nội dung tiếp nhận gồm khiếu nại, tố cáo, kiến nghị, phản ánh.",
        ],
    ),
    (
        "Thông báo cắt điện để bảo trì lưới điện",
        "chi-dao-dieu-hanh",
        "normal",
        [
            "Điện lực tạm ngừng cung cấp điện để bảo trì đường dây.",
            "Thời gian cắt điện từ bảy giờ đến mười sáu giờ.",
            "Khách hàng chủ động sắp xếp sản xuất, sinh hoạt.",
        ],
    ),
    (
        "Thu gom rác thải cồng kềnh",
        "chi-dao-dieu-hanh",
        "normal",
        [
            "Tổ thu gom đi theo các tuyến hẻm vào sáng Chủ nhật.",
            "Bà con tập kết tủ, giường, nệm cũ trước cửa nhà.",
            "Không đổ rác xuống kênh rạch và nơi công cộng.",
        ],
    ),
    (
        "Phòng cháy chữa cháy trong mùa khô",
        "chay-no",
        "priority",
        [
            "Mùa khô nguy cơ cháy rừng tràm và nhà dân rất cao.",
            "Không đốt đồng, đốt rác gần nhà và bìa rừng.",
            "Trang bị bình chữa cháy và kiểm tra hệ thống điện trong nhà.",
        ],
    ),
    (
        "Cháy nhà dân, khẩn trương hỗ trợ",
        "chay-no",
        "emergency",
        [
            "Đám cháy xảy ra tại khu dân cư, lực lượng chữa cháy đang có mặt.",
            "Người dân tránh xa khu vực cháy để xe chữa cháy tiếp cận.",
            "Gọi số một trăm mười bốn khi phát hiện cháy.",
        ],
    ),
    (
        "Ứng dụng công nghệ số trong sản xuất nông nghiệp",
        "khoa-hoc-cong-nghe",
        "normal",
        [
            "Nhật ký điện tử giúp truy xuất nguồn gốc nông sản.",
            "Thiết bị bay không người lái phun thuốc tiết kiệm chi phí.",
            "Nông dân bán hàng qua sàn thương mại điện tử.",
        ],
    ),
    (
        "Cảnh giác lừa đảo qua mạng điện thoại",
        "khoa-hoc-cong-nghe",
        "normal",
        [
            "Kẻ gian giả danh công an, ngân hàng để yêu cầu chuyển tiền.",
            "Không cung cấp mã xác thực cho bất kỳ ai qua điện thoại.",
            "Báo ngay cho công an xã khi nghi ngờ bị lừa đảo.",
        ],
    ),
    (
        "Hội thi văn nghệ quần chúng",
        "van-hoa-xa-hoi",
        "normal",
        [
            "Mỗi ấp tham gia ít nhất hai tiết mục đờn ca tài tử.",
            "Hội thi diễn ra tại nhà văn hóa xã vào tối thứ Bảy.",
            "Ban tổ chức trao giải cho các tiết mục xuất sắc.",
        ],
    ),
    (
        "Phòng chống đuối nước cho trẻ em mùa nước nổi",
        "van-hoa-xa-hoi",
        "priority",
        [
            "Điểm giữ trẻ mùa lũ mở cửa từ sáu giờ ba mươi sáng.",
            "Không cho trẻ em tắm sông, chơi gần mép nước.",
            "Lớp dạy bơi miễn phí cho học sinh trong dịp hè.",
        ],
    ),
]
SENTENCES = [
    "Ủy ban nhân dân đề nghị bà con theo dõi loa truyền thanh để nắm thông tin.",
    "Cán bộ ấp sẽ đến từng hộ để hướng dẫn và tiếp nhận phản ánh.",
    "Đường dây nóng hoạt động hai mươi bốn giờ trong ngày.",
    "Đoàn thanh niên phối hợp thực hiện và hỗ trợ người dân.",
    "Hội phụ nữ vận động các hộ gia đình cùng tham gia.",
    "Mọi thắc mắc xin liên hệ văn phòng ủy ban trong giờ hành chính.",
    "Thông tin chi tiết được niêm yết tại nhà văn hóa ấp.",
    "Trưởng ấp chịu trách nhiệm thông báo đến từng hộ dân.",
    "Kết quả thực hiện được báo cáo về ủy ban trước cuối tháng.",
    "Người dân chấp hành nghiêm để bảo đảm an toàn cho cộng đồng.",
]
QUERIES = [
    {"query": "thong bao lu"},
    {"query": "sot xuat huyet"},
    {"query": "lich tiem chung"},
    {"query": "gia lua"},
    {"query": "luat dat dai"},
    {"query": "Thông báo cắt điện"},
    {"query": "lua dao"},
    {"query": "duoi nuoc tre em"},
    {"query": "song tien", "level": "emergency"},
    {"query": "phong chong", "category": "dich-benh"},
    {"query": "ua ban nhan dan"},
    {"query": "truyen thanh", "area": "commune"},
    {"query": "tiem chung", "area": "hamlet"},
    {"area": "commune"},
    {"area": "province"},
    {"category": "thien-tai"},
    {"level": "priority", "area": "commune"},
    {"query": "xoai", "since": 400},
    {"query": "chay", "since": 30, "until": 0},
    {"query": "khong co tu nay dau"},
]


def setup_django(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.dev")
    os.environ["GRASSROOTS_DATA_DIR"] = args.data_dir
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = args.postgres_url
        _create_pg_database(args.postgres_url)
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def reuse_places() -> dict:
    from grassroots.areas.models import Area, Level

    province = Area.objects.get(level=Level.PROVINCE, code="82")
    commune = max(
        Area.objects.filter(level=Level.COMMUNE),
        key=lambda c: c.targeted_bulletins.count(),
    )
    return {
        "province": province,
        "commune": commune,
        "hamlet": commune.children.order_by("code").first(),
    }


def _create_pg_database(url: str) -> None:
    if os.environ.get("BENCH_KEEP_DATABASE"):
        return
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def load(count: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from grassroots.areas import actions as area_actions
    from grassroots.areas.models import Area, Kind, Level
    from grassroots.bulletins import search
    from grassroots.bulletins.models import Bulletin, Category, Status
    from grassroots.core.text import fold

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    area_actions.import_catalogue([82])
    province = Area.objects.get(level=Level.PROVINCE, code="82")
    communes = list(Area.objects.filter(level=Level.COMMUNE, parent=province))
    hamlets = [
        Area(
            parent=c,
            code=f"H{i:02d}",
            name=f"Ấp {i}",
            kind=Kind.HAMLET,
            level=Level.HAMLET,
            path=f"{c.path}H{i:02d}/",
        )
        for c in communes
        for i in range(1, 11)
    ]
    Area.objects.bulk_create(hamlets)
    hamlets = list(Area.objects.filter(level=Level.HAMLET))
    by_commune: dict[int, list] = {}
    for h in hamlets:
        by_commune.setdefault(h.parent_id, []).append(h)
    categories = {c.slug: c for c in Category.objects.all()}
    rng = random.Random(119)
    now = timezone.now()
    statuses = (
        [Status.PUBLISHED] * 70
        + [Status.EXPIRED] * 10
        + [Status.WITHDRAWN] * 5
        + [Status.DRAFT] * 10
        + [Status.SUBMITTED] * 5
    )
    through = Bulletin.target_areas.through
    batch = 2000
    made = 0
    while made < count:
        rows, targets = [], []
        for _ in range(min(batch, count - made)):
            topic, slug, level, own = rng.choice(TOPICS)
            if rng.random() < 0.15:
                issuing = province
                aim = [province] if rng.random() < 0.6 else rng.sample(communes, 3)
                agency = "UBND tỉnh Đồng Tháp"
            else:
                issuing = rng.choice(communes)
                aim = (
                    [issuing]
                    if rng.random() < 0.7
                    else rng.sample(by_commune[issuing.pk], 2)
                )
                agency = f"UBND {issuing.name}"
            place = aim[0].name
            title = f"{topic} tại {place}"
            body = "".join(
                f"<p>{' '.join(rng.sample(own, 2) + rng.sample(SENTENCES, 2))}</p>"
                for _ in range(rng.randint(2, 4))
            )
            status = rng.choice(statuses)
            published = now - timedelta(days=rng.uniform(0, 1100))
            live = status == Status.PUBLISHED
            bulletin = Bulletin(
                title=title,
                summary=rng.choice(own),
                body=body,
                category=categories[slug],
                level=level,
                issuing_area=issuing,
                issuing_agency=agency,
                source_reference=f"{rng.randint(1, 999)}/TB-UBND",
                valid_from=published,
                valid_until=None
                if status != Status.EXPIRED
                else published + timedelta(days=7),
                status=status,
                live=live,
                expired=status == Status.EXPIRED,
                first_published_at=published
                if status in (Status.PUBLISHED, Status.EXPIRED, Status.WITHDRAWN)
                else None,
                last_published_at=published if live else None,
                created_at=published,
            )
            bulletin.target_areas.set(aim)  # in memory: the document holds their tokens
            bulletin.search_title = fold(title)[:255]
            bulletin.search_document = search.document_for(bulletin)
            rows.append(bulletin)
            targets.append(aim)
        with transaction.atomic():
            Bulletin.objects.bulk_create(rows)
            through.objects.bulk_create(
                [
                    through(bulletin_id=b.pk, area_id=a.pk)
                    for b, aim in zip(rows, targets, strict=True)
                    for a in aim
                ]
            )
        made += len(rows)
        print(f"\r  loaded {made:,}/{count:,} bulletins", end="", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  ({time.monotonic() - started:.0f} s)")
    sample_commune = max(communes, key=lambda c: c.targeted_bulletins.count())
    return {
        "province": province,
        "commune": sample_commune,
        "hamlet": by_commune[sample_commune.pk][0],
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def bench_search(places: dict, rounds: int) -> list[float]:
    from django.utils import timezone

    from grassroots.bulletins import public
    from grassroots.bulletins.models import Category
    from grassroots.bulletins.search import CappedPaginator

    categories = {c.slug: c for c in Category.objects.all()}
    timings: list[float] = []
    per_query: dict[str, list[float]] = {}
    today = timezone.localdate()
    for _ in range(rounds):
        for spec in QUERIES:
            kwargs = {
                "query": spec.get("query", ""),
                "level": spec.get("level"),
                "category": categories.get(spec.get("category", "")),
                "area": places.get(spec.get("area", "")),
            }
            if "since" in spec:
                kwargs["since"] = today - timedelta(days=spec["since"])
            if "until" in spec:
                kwargs["until"] = today - timedelta(days=spec["until"])
            started = time.perf_counter()
            queryset = public.filtered(public.bulletins(), **kwargs)
            page = CappedPaginator(queryset, 20).get_page(1)
            list(page.object_list)
            page.paginator.count  # noqa: B018 - the page shows the count
            elapsed = (time.perf_counter() - started) * 1000
            timings.append(elapsed)
            per_query.setdefault(repr(spec), []).append(elapsed)
    slowest = sorted(per_query.items(), key=lambda kv: -statistics.median(kv[1]))[:3]
    for spec, values in slowest:
        print(f"    slowest: {spec} median {statistics.median(values):.1f} ms")
    return timings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _client(port: int, paths: list[str], deadline: float, latencies: list[float]):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random()
    count = 0
    while time.monotonic() < deadline:
        path = rng.choice(paths)
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept-Language: vi\r\nConnection: keep-alive\r\n\r\n"
        )
        started = time.perf_counter()
        writer.write(request.encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        count += 1
    writer.close()
    return count


async def _load(port: int, paths: list[str], seconds: float, connections: int):
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    counts = await asyncio.gather(
        *[_client(port, paths, deadline, latencies) for _ in range(connections)]
    )
    return sum(counts), latencies


def bench_portal(args, places: dict, workers: int) -> tuple[float, list[float]]:
    from grassroots.bulletins.models import Category

    port = free_port()
    env = {**os.environ, "GRASSROOTS_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(  # noqa: S603 - our own uvicorn
        [
            sys.executable,
            "-m",
            "uvicorn",
            "grassroots.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--lifespan",
            "off",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        paths = ["/", f"/khu-vuc/{places['province'].url_path}/"]
        paths += [f"/khu-vuc/{places[k].url_path}/" for k in ("commune", "hamlet")]
        paths += [f"/chuyen-muc/{c.slug}/" for c in Category.objects.all()]
        paths += [f"/khu-vuc/{places['commune'].url_path}/?trang=2"]
        import urllib.request

        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        cold = []
        for path in paths:  # warm every worker's view of the cache
            started = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()  # noqa: S310
            cold.append((time.perf_counter() - started) * 1000)
        print(
            f"    first (uncached) hit: median {statistics.median(cold):.0f} ms, max {max(cold):.0f} ms"
        )
        asyncio.run(_load(port, paths, 2, args.connections))  # warm-up
        total, latencies = asyncio.run(
            _load(port, paths, args.seconds, args.connections)
        )
        return total / args.seconds, latencies
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gr_i3_bench"
        ),
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument(
        "--rounds", type=int, default=10, help="passes over the queries"
    )
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts to try")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        help="keep the data in DIR and reuse it on the next run (for tuning)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gr-bench-") as data_dir:
        args.data_dir = args.reuse or data_dir
        reusing = bool(args.reuse) and Path(args.reuse, "loaded").exists()
        if reusing:
            os.environ["BENCH_KEEP_DATABASE"] = "1"
        setup_django(args)
        from django.conf import settings

        print(
            f"Database: {args.database}; cache: {settings.CACHES['default']['BACKEND']}"
        )
        print(f"Machine: {os.cpu_count()} CPUs")
        places = reuse_places() if reusing else load(args.count)
        if args.reuse:
            Path(args.reuse, "loaded").touch()
        timings = bench_search(places, args.rounds)
        print(
            f"  search ({len(timings)} queries on {args.count:,} bulletins): "
            f"p50 {percentile(timings, 50):.1f} ms, p95 {percentile(timings, 95):.1f} ms, "
            f"max {max(timings):.1f} ms"
        )
        if args.skip_http:
            return
        for workers in [int(w) for w in args.workers.split(",")]:
            rate, latencies = bench_portal(args, places, workers)
            print(
                f"  portal list pages, cached, uvicorn --workers {workers}, "
                f"{args.connections} connections: {rate:.0f} req/s "
                f"(latency p50 {percentile(latencies, 50):.1f} ms, "
                f"p95 {percentile(latencies, 95):.1f} ms)"
            )


if __name__ == "__main__":
    main()
