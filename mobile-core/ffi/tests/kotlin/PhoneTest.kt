// The phone library through its real Kotlin bindings (JNA), against a real server: what the
// Android app does. A grid worker's phone creates a case with a camera photo, goes offline and
// edits, syncs; a secretary's phone returns the case for more information; the worker receives
// it. Errors arrive as WanggeException subclasses with their codes; callbacks report progress.
//
// Run by scripts/ffi-test: `java -cp … PhoneTestKt <fixtures dir>` with WANGGE_SERVER_BIN set.
// Any failed check throws, and the program exits non-zero.

import java.io.File
import java.nio.file.Files
import java.util.Collections
import kotlinx.coroutines.runBlocking
import uniffi.wangge.*

const val GRID = "110199001001001"
const val DEMO_PASSWORD = "wangge-demo"

class Recorder : SyncListener {
    val progress: MutableList<SyncProgress> = Collections.synchronizedList(mutableListOf())
    val cases: MutableList<CaseOutcome> = Collections.synchronizedList(mutableListOf())

    override fun onProgress(progress: SyncProgress) {
        this.progress.add(progress)
    }

    override fun onCase(outcome: CaseOutcome) {
        cases.add(outcome)
    }
}

class PhotoSteps : PhotoListener {
    val steps: MutableList<Pair<String, Float>> = Collections.synchronizedList(mutableListOf())

    override fun onProgress(stage: String, fraction: Float) {
        steps.add(stage to fraction)
    }
}

/** The real wangge-server on a free loopback port, over a fresh data directory. */
class Server : AutoCloseable {
    private val data = Files.createTempDirectory("wangge-kt-server-").toFile()
    private val process: Process
    val url: String

    init {
        val binary = System.getenv("WANGGE_SERVER_BIN") ?: error("set WANGGE_SERVER_BIN")
        process = ProcessBuilder(binary, "--listen", "127.0.0.1:0", "--data-dir", data.path)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        val lines = process.inputStream.bufferedReader()
        var found: String? = null
        while (found == null) {
            val line = lines.readLine() ?: error("wangge-server exited before it listened")
            found = Regex("on (http://127\\.0\\.0\\.1:\\d+)").find(line)?.groupValues?.get(1)
        }
        url = found
        Thread { runCatching { lines.readText() } }.apply { isDaemon = true }.start()
    }

    override fun close() {
        process.destroy()
        process.waitFor()
        data.deleteRecursively()
    }
}

fun check(condition: Boolean, what: () -> String) {
    if (!condition) throw AssertionError(what())
}

fun <T> checkEquals(expected: T, actual: T, what: String) =
    check(expected == actual) { "$what: expected <$expected>, got <$actual>" }

inline fun <reified E : WanggeException> expectError(block: () -> Unit): E {
    try {
        block()
    } catch (e: WanggeException) {
        check(e is E) { "expected ${E::class.simpleName}, got $e" }
        return e as E
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}

fun newCase(title: String) = NewCase(
    grid = GRID,
    category = "SR-01",
    title = title,
    description = "垃圾桶满溢，三天未清运",
    place = Place(lat = 39.95, lon = 116.41, accuracyM = 8.0, address = "和平里北街12号"),
    source = "patrol",
)

fun main(args: Array<String>): Unit = runBlocking {
    val fixtures = File(args[0])
    val dir = Files.createTempDirectory("wangge-kt-").toFile()
    Server().use { server ->
        val worker = Phone.open(File(dir, "worker.db").path, "zh-CN")

        // Wrong password: sign in again.
        val denied = expectError<WanggeException.SignInRequired> {
            runBlocking { worker.signIn(server.url, "wangge", "wrong") }
        }
        check(denied.code.startsWith("auth.")) { "code ${denied.code}" }

        val user = worker.signIn(server.url, "wangge", DEMO_PASSWORD)
        checkEquals("grid_worker", user.role, "role")
        check(GRID in user.scopeCodes) { "scope ${user.scopeCodes}" }

        val case = worker.createCase(newCase("和平里北街垃圾堆放"))
        val camera = File(fixtures, "camera.jpg").readBytes()
        val steps = PhotoSteps()
        val attached = worker.attachPhoto(case, camera, "before", "现场照片", steps)
        checkEquals(900u to 1200u, attached.photo.width to attached.photo.height, "upright size")
        checkEquals("done" to 1.0f, steps.steps.last(), "last photo step")

        // Bad photo: its own code, nothing attached.
        val bad = expectError<WanggeException.InvalidInput> {
            runBlocking { worker.attachPhoto(case, camera.copyOf(20_000), "before", "", null) }
        }
        checkEquals("photo_truncated", bad.code, "truncated photo")
        checkEquals(1, worker.caseDetail(case)!!.photos.size, "photos after a bad one")

        // The phone refuses a step the role may not take, with the reason.
        val refused = expectError<WanggeException.NotAllowed> { worker.act(case, CaseAction.Close) }
        check(refused.code.startsWith("refused.")) { "code ${refused.code}" }

        worker.act(case, CaseAction.Report(onSiteResolved = false))
        val offline = expectError<WanggeException.Offline> {
            runBlocking { worker.sync(Network.OFFLINE, Recorder()) }
        }
        checkEquals("client.offline", offline.code, "offline code")
        worker.editCase(case, CaseEdit.Title(text = "和平里北街12号垃圾堆放"))

        val recorder = Recorder()
        val summary = worker.sync(Network.UNMETERED, recorder)
        checkEquals(listOf(case), summary.accepted, "accepted")
        // On Wi-Fi both files of the photo go: thumbnail and full size.
        checkEquals(2u to 0u, summary.photosSent to summary.photosWaiting, "photos sent, waiting")
        check(worker.uploadQueue().isEmpty()) { "queue ${worker.uploadQueue()}" }
        check(CaseOutcome.Accepted(caseId = case) in recorder.cases) { "outcomes ${recorder.cases}" }
        check(recorder.progress.last() is SyncProgress.Done) { "progress ${recorder.progress}" }

        val secretary = Phone.open(File(dir, "secretary.db").path, "zh-CN")
        secretary.signIn(server.url, "shequ", DEMO_PASSWORD)
        secretary.sync(Network.METERED, Recorder())
        checkEquals("和平里北街12号垃圾堆放", secretary.caseDetail(case)!!.summary.title, "title seen")
        secretary.act(case, CaseAction.ReturnForMore(reason = "请补充近景照片"))
        secretary.sync(Network.METERED, Recorder())

        worker.editCase(case, CaseEdit.Description(text = "垃圾桶满溢，三天未清运。已联系物业"))
        val back = Recorder()
        worker.sync(Network.METERED, back)
        check(CaseOutcome.Received(caseId = case) in back.cases) { "outcomes ${back.cases}" }
        val detail = worker.caseDetail(case)!!
        checkEquals("returned", detail.summary.status, "status")
        checkEquals("垃圾桶满溢，三天未清运。已联系物业", detail.description, "merged description")
        val returned = detail.timeline.single { it.action == "return_for_more" }
        checkEquals("请补充近景照片", returned.note, "reason")
        checkEquals(secretary.user()!!.deviceId, returned.device, "device of the return")
        check(detail.actions.any { it.code == "report" }) { "actions ${detail.actions}" }
        println("kotlin ffi test: ok (${libraryVersion()})")
    }
    dir.deleteRecursively()
}
