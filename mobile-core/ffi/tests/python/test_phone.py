"""The phone library through its real Python bindings, against a real server.

A grid worker's phone opens a store, creates a case with a camera photo, goes offline and
edits, syncs; a secretary's phone returns the case for more information; the worker receives
it. An edit the server refuses is shown with its reason until the worker has seen it. Errors
arrive as WanggeError variants with their codes, and the callbacks report progress and each
case's result.
"""

import asyncio
import gc
import os
import pathlib
import tempfile
import unittest

import wangge
from server import DEMO_PASSWORD, Server

GRID = "110199001001001"
FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"


class Recorder(wangge.SyncListener):
    def __init__(self):
        self.progress = []
        self.cases = []

    def on_progress(self, progress):
        self.progress.append(progress)

    def on_case(self, outcome):
        self.cases.append(outcome)


class PhotoSteps(wangge.PhotoListener):
    def __init__(self):
        self.steps = []

    def on_progress(self, stage, fraction):
        self.steps.append((stage, fraction))


def new_case(title):
    return wangge.NewCase(
        grid=GRID,
        category="SR-01",
        title=title,
        description="垃圾桶满溢，三天未清运",
        place=wangge.Place(lat=39.95, lon=116.41, accuracy_m=8.0, address="和平里北街12号"),
        source="patrol",
    )


def bomb(side):
    """The camera fixture, complete, with a frame header claiming side × side pixels."""
    jpeg = bytearray((FIXTURES / "camera.jpg").read_bytes())
    at = 2
    while jpeg[at + 1] not in (0xC0, 0xC1, 0xC2):
        at += 2 + int.from_bytes(jpeg[at + 2:at + 4], "big")
    jpeg[at + 5:at + 9] = side.to_bytes(2, "big") * 2
    return bytes(jpeg)


class PhoneTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="wangge-ffi-")

    def tearDown(self):
        self.dir.cleanup()

    def phone(self, name, locale="zh-CN"):
        return wangge.Phone.open(os.path.join(self.dir.name, f"{name}.db"), locale)

    async def signed_in(self, name, login):
        phone = self.phone(name)
        user = await phone.sign_in(self.server.url, login, DEMO_PASSWORD)
        self.assertEqual(user.login, login)
        return phone

    def test_a_case_with_a_photo_goes_offline_syncs_and_comes_back_returned(self):
        asyncio.run(self.case_round_trip())

    async def case_round_trip(self):
        worker = await self.signed_in("worker", "wangge")
        user = worker.user()
        self.assertEqual(user.role, "grid_worker")
        self.assertEqual(user.role_label, "网格员")
        self.assertIn(GRID, user.scope_codes)
        self.assertTrue(any(c.code == "SR-01" for c in worker.categories()))

        case = worker.create_case(new_case("和平里北街垃圾堆放"))
        photo_steps = PhotoSteps()
        camera = (FIXTURES / "camera.jpg").read_bytes()
        attached = await worker.attach_photo(case, camera, "before", "现场照片", photo_steps)
        # The fixture is 1200×900 stored with EXIF orientation 6: upright it is portrait.
        self.assertEqual((attached.photo.width, attached.photo.height), (900, 1200))
        self.assertEqual(attached.original_bytes, len(camera))
        self.assertIsNotNone(attached.photo.thumbnail)
        self.assertIsNotNone(attached.photo.captured_at_ms)
        self.assertAlmostEqual(attached.captured_lat, 39.9042, places=3)
        self.assertEqual(photo_steps.steps[-1], ("done", 1.0))
        fractions = [f for _, f in photo_steps.steps]
        self.assertEqual(fractions, sorted(fractions))

        worker.act(case, wangge.CaseAction.REPORT(on_site_resolved=False))
        self.assertEqual(worker.case_detail(case).summary.status, "reported")

        # Offline: nothing is sent, the edit is kept.
        with self.assertRaises(wangge.WanggeError.Offline) as raised:
            await worker.sync(wangge.Network.OFFLINE, Recorder())
        self.assertEqual(raised.exception.code, "client.offline")
        self.assertIn("无网络", raised.exception.user_message)
        worker.edit_case(case, wangge.CaseEdit.TITLE(text="和平里北街12号垃圾堆放"))
        unsent = worker.list_cases(wangge.ListFilter(unsent=True))
        self.assertEqual([line.id for line in unsent], [case])

        # On mobile data: the case and the thumbnail go, the full photo waits for Wi-Fi.
        recorder = Recorder()
        summary = await worker.sync(wangge.Network.METERED, recorder)
        self.assertEqual(summary.accepted, [case])
        self.assertEqual((summary.photos_sent, summary.photos_waiting), (1, 1))
        self.assertIn(wangge.CaseOutcome.ACCEPTED(case_id=case), recorder.cases)
        self.assertTrue(recorder.progress[0].is_SENDING())
        self.assertTrue(any(p.is_UPLOADING() for p in recorder.progress))
        self.assertTrue(recorder.progress[-1].is_DONE())
        self.assertEqual(worker.list_cases(wangge.ListFilter(unsent=True)), [])
        queue = worker.upload_queue()
        self.assertEqual([(f.kind, f.hash, f.case_id) for f in queue],
                         [("full", attached.photo.hash, case)])
        main = worker.photo_file(attached.photo.hash)
        self.assertEqual(len(main), attached.photo.size)
        self.assertEqual(main[:2], b"\xff\xd8")
        self.assertEqual(worker.photo_file(attached.photo.thumbnail)[:2], b"\xff\xd8")
        self.assertIsNone(worker.photo_file("00" * 32))

        # The secretary returns it for more information, offline, then syncs.
        secretary = await self.signed_in("secretary", "shequ")
        await secretary.sync(wangge.Network.METERED, Recorder())
        seen = secretary.case_detail(case)
        self.assertEqual(seen.summary.title, "和平里北街12号垃圾堆放")
        self.assertEqual(len(seen.photos), 1)
        self.assertIn("return_for_more", [a.code for a in seen.actions])
        # The secretary's phone fetches the worker's thumbnail; the full photo is not on the
        # server yet (the worker was on mobile data).
        thumbnail = await secretary.fetch_photo(case, attached.photo.thumbnail, wangge.Network.METERED)
        self.assertEqual(thumbnail, worker.photo_file(attached.photo.thumbnail))
        with self.assertRaises(wangge.WanggeError.NotAllowed) as raised:
            await secretary.fetch_photo(case, attached.photo.hash, wangge.Network.METERED)
        self.assertEqual(raised.exception.code, "blob.unknown")
        with self.assertRaises(wangge.WanggeError.InvalidInput) as raised:
            await secretary.fetch_photo(case, "ab" * 32, wangge.Network.METERED)
        self.assertEqual(raised.exception.code, "ffi.not_in_case")
        secretary.act(case, wangge.CaseAction.RETURN_FOR_MORE(reason="请补充近景照片"))
        secretary.comment(case, "照片太远，看不清")
        await secretary.sync(wangge.Network.METERED, Recorder())

        # Meanwhile the worker edited the description offline; both edits survive.
        worker.edit_case(case, wangge.CaseEdit.DESCRIPTION(text="垃圾桶满溢，三天未清运。已联系物业"))
        # The user allows full photos on mobile data: the waiting one goes too.
        worker.set_full_photos_on_metered(True)
        recorder = Recorder()
        summary = await worker.sync(wangge.Network.METERED, recorder)
        self.assertIn(wangge.CaseOutcome.RECEIVED(case_id=case), recorder.cases)
        self.assertEqual((summary.photos_sent, summary.photos_waiting), (1, 0))
        self.assertEqual(worker.upload_queue(), [])
        main = await secretary.fetch_photo(case, attached.photo.hash, wangge.Network.METERED)
        self.assertEqual(main, worker.photo_file(attached.photo.hash))
        # Kept on the secretary's phone: it shows offline now.
        offline = await secretary.fetch_photo(case, attached.photo.hash, wangge.Network.OFFLINE)
        self.assertEqual(offline, main)
        detail = worker.case_detail(case)
        self.assertEqual(detail.summary.status, "returned")
        self.assertEqual(detail.summary.status_label, "退回补充")
        self.assertEqual(detail.description, "垃圾桶满溢，三天未清运。已联系物业")
        returned = [t for t in detail.timeline if t.action == "return_for_more"]
        self.assertEqual(len(returned), 1)
        self.assertEqual(returned[0].note, "请补充近景照片")
        self.assertEqual(returned[0].role, "community_secretary")
        self.assertEqual(returned[0].actor, secretary.user().user_id)
        self.assertEqual(returned[0].device, secretary.user().device_id)
        self.assertEqual([c.text for c in detail.comments], ["照片太远，看不清"])
        self.assertIn("report", [a.code for a in detail.actions])
        self.assertEqual(worker.list_cases(wangge.ListFilter(text="垃圾"))[0].id, case)

    def test_an_edit_the_server_refuses_is_shown_with_its_reason_until_seen(self):
        asyncio.run(self.refused_edit())

    async def refused_edit(self):
        worker = await self.signed_in("worker", "wangge")
        secretary = await self.signed_in("secretary", "shequ")
        case = worker.create_case(new_case("井盖缺失"))
        worker.act(case, wangge.CaseAction.REPORT(on_site_resolved=False))
        await worker.sync(wangge.Network.METERED, Recorder())
        await secretary.sync(wangge.Network.METERED, Recorder())
        secretary.act(case, wangge.CaseAction.ACCEPT())
        await secretary.sync(wangge.Network.METERED, Recorder())

        # The worker, offline, still sees the case as reported and retitles it; the server has
        # it accepted, where a grid worker may no longer edit the title.
        worker.edit_case(case, wangge.CaseEdit.TITLE(text="井盖缺失（补充）"))
        recorder = Recorder()
        summary = await worker.sync(wangge.Network.METERED, recorder)
        self.assertEqual(summary.refused, [case])
        refusals = [o for o in recorder.cases if o.is_REFUSED()]
        self.assertEqual([o.case_id for o in refusals], [case])
        self.assertTrue(refusals[0].code.startswith("case."), refusals[0].code)

        # Shown on the case with the server's reason in Chinese; the case is the server's again.
        detail = worker.case_detail(case)
        self.assertEqual((detail.summary.status, detail.summary.title), ("accepted", "井盖缺失"))
        self.assertEqual(
            [(r.code, r.message) for r in detail.refused_edits],
            [(refusals[0].code, refusals[0].message)],
        )
        self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for ch in refusals[0].message))

        # The worker has read it: it leaves the case's screen.
        self.assertEqual(worker.mark_refusals_seen(case), 1)
        self.assertEqual(worker.case_detail(case).refused_edits, [])
        self.assertEqual(worker.mark_refusals_seen(case), 0)

    def test_errors_map_to_what_the_app_does_about_them(self):
        asyncio.run(self.errors())

    async def errors(self):
        stranger = self.phone("stranger")
        with self.assertRaises(wangge.WanggeError.SignInRequired) as raised:
            await stranger.sign_in(self.server.url, "wangge", "not-the-password")
        self.assertTrue(raised.exception.code.startswith("auth."), raised.exception.code)
        with self.assertRaises(wangge.WanggeError.SignInRequired) as raised:
            stranger.create_case(new_case("未登录"))
        self.assertEqual(raised.exception.code, "store.not_signed_in")

        worker = await self.signed_in("worker", "wangge")
        case = worker.create_case(new_case("占道经营"))
        # A grid worker may not close a case: refused on the phone, with the reason.
        with self.assertRaises(wangge.WanggeError.NotAllowed) as raised:
            worker.act(case, wangge.CaseAction.CLOSE())
        self.assertTrue(raised.exception.code.startswith("refused."), raised.exception.code)
        self.assertTrue(raised.exception.user_message)
        with self.assertRaises(wangge.WanggeError.NotAllowed) as raised:
            worker.create_case(
                wangge.NewCase(
                    grid="110199002001001",
                    category="SR-01",
                    title="别的网格",
                    description="",
                    place=None,
                    source="patrol",
                )
            )
        self.assertEqual(raised.exception.code, "store.out_of_scope")
        with self.assertRaises(wangge.WanggeError.InvalidInput) as raised:
            worker.create_case(new_case("   "))
        self.assertEqual(raised.exception.code, "store.invalid")
        with self.assertRaises(wangge.WanggeError.InvalidInput) as raised:
            worker.act("not-a-case-id", wangge.CaseAction.ACCEPT())
        self.assertEqual(raised.exception.code, "ffi.invalid_value")

        # Bad photos: each its own code, and the case is untouched.
        bad = {
            b"": "photo_empty",
            b"%PDF-1.7 not a picture at all" * 10: "photo_not_an_image",
            (FIXTURES / "camera.jpg").read_bytes()[:20_000]: "photo_truncated",
            bomb(60_000): "photo_too_many_pixels",
        }
        queue = worker.upload_queue()
        unsent = worker.list_cases(wangge.ListFilter(unsent=True))
        for data, code in bad.items():
            with self.assertRaises(wangge.WanggeError.InvalidInput) as raised:
                await worker.attach_photo(case, data, "before", "", None)
            self.assertEqual(raised.exception.code, code)
        self.assertEqual(worker.case_detail(case).photos, [])
        self.assertEqual(worker.upload_queue(), queue)
        self.assertEqual(worker.list_cases(wangge.ListFilter(unsent=True)), unsent)
        with self.assertRaises(wangge.WanggeError.InvalidInput) as raised:
            await worker.attach_photo(
                case, (FIXTURES / "camera.jpg").read_bytes(), "sideways", "", None
            )
        self.assertEqual(raised.exception.code, "ffi.invalid_value")
        self.assertIn("sideways", raised.exception.user_message)
        self.assertEqual(worker.case_detail(case).photos, [])

        # Photo settings: the defaults; settings that cannot make a picture are refused and the
        # old ones kept; a smaller long edge applies to photos attached from then on.
        defaults = worker.photo_settings()
        self.assertEqual((defaults.long_edge, defaults.format, defaults.quality), (1600, "jpeg", 65))
        for settings, code in [
            (wangge.PhotoSettings(long_edge=100, format="jpeg", quality=65), "photo_invalid_options"),
            (wangge.PhotoSettings(long_edge=800, format="jpeg", quality=0), "photo_invalid_options"),
            (wangge.PhotoSettings(long_edge=800, format="gif", quality=65), "ffi.invalid_value"),
        ]:
            with self.assertRaises(wangge.WanggeError.InvalidInput) as raised:
                worker.set_photo_settings(settings)
            self.assertEqual(raised.exception.code, code)
        self.assertEqual(worker.photo_settings(), defaults)
        worker.set_photo_settings(wangge.PhotoSettings(long_edge=800, format="jpeg", quality=70))
        small = await worker.attach_photo(
            case, (FIXTURES / "camera.jpg").read_bytes(), "before", "", None
        )
        # The fixture is 1200 × 900 with EXIF orientation 6: upright 600 × 800.
        self.assertEqual((small.photo.width, small.photo.height), (600, 800))

        # One writer per store file: a second Phone on the same file is refused, and the file
        # opens again once the first Phone is gone — here in English.
        path = os.path.join(self.dir.name, "worker.db")
        with self.assertRaises(wangge.WanggeError.Storage) as raised:
            wangge.Phone.open(path, "zh-CN")
        self.assertEqual(raised.exception.code, "store.in_use")
        self.assertIn("另一处", raised.exception.user_message)
        del worker, small, raised
        gc.collect()
        english = wangge.Phone.open(path, "en")
        with self.assertRaises(wangge.WanggeError.NotAllowed) as raised:
            english.act(case, wangge.CaseAction.CLOSE())
        self.assertTrue(raised.exception.user_message.isascii(), raised.exception.user_message)
        self.assertEqual(english.label("returned"), "Returned for more information")
        self.assertEqual(wangge.library_version(), "0.1.0")


if __name__ == "__main__":
    unittest.main()
