// The driver's Worker against a fake worker (plain python3, no Warp) that misbehaves on demand.
#include "driver/worker.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using namespace warpsynth;
using namespace std::chrono_literals;

namespace {

const char* kFakeWorker = R"PY(
import json, os, sys, time
print(json.dumps({"protocol": 1, "op": "ready", "warp_version": "0.0-fake",
                  "pinned_warp_version": "0.0-fake", "worker_version": "fake"}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    if request.get("op") == "shutdown":
        break
    label = request.get("label")
    if label == "hang":
        time.sleep(60)
    elif label == "crash":
        os.kill(os.getpid(), 11)
    elif label == "garble":
        print("Module foo load on device 'cpu' took 1.0 ms", flush=True)
        continue
    elif label == "oversize":
        print("x" * (3 << 20), flush=True)
        continue
    elif label == "refuse":
        print(json.dumps({"protocol": 1, "id": request["id"], "ok": False, "error": "ValueError: no"}), flush=True)
        continue
    print("handled " + label, file=sys.stderr, flush=True)
    print(json.dumps({"protocol": 1, "id": request["id"], "ok": True,
                      "result": {"label": label, "pid": os.getpid()}}), flush=True)
)PY";

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("warpsynth_fake_worker_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "pkg" / "warpsynth_worker");
    std::ofstream(root_ / "pkg" / "warpsynth_worker" / "__init__.py") << "";
    std::ofstream(root_ / "pkg" / "warpsynth_worker" / "__main__.py") << kFakeWorker;
    log_ = std::make_unique<LogFile>((root_ / "log.txt").string());
  }
  void TearDown() override { fs::remove_all(root_); }

  WorkerCommand command() const { return {"python3", (root_ / "pkg").string()}; }
  CallOutcome call(Worker& worker, std::int64_t id, const std::string& label, std::chrono::milliseconds timeout = 10s) {
    return worker.call(id, protocol::extract_request(id, "/dev/null", label), timeout);
  }
  std::string log_text() const {
    std::ifstream in(root_ / "log.txt");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path root_;
  std::unique_ptr<LogFile> log_;
};

}  // namespace

TEST_F(WorkerTest, AnswersAndLogsStderr) {
  Worker worker(command(), *log_, 30s);
  EXPECT_EQ(worker.ensure_started().warp_version, "0.0-fake");
  CallOutcome outcome = call(worker, 1, "good");
  ASSERT_EQ(outcome.kind, CallOutcome::Kind::kOk) << outcome.detail;
  EXPECT_EQ(outcome.result["label"], "good");
  worker.shutdown();
  EXPECT_NE(log_text().find("handled good"), std::string::npos);
}

TEST_F(WorkerTest, RequestErrorKeepsTheSameProcess) {
  Worker worker(command(), *log_, 30s);
  auto first = call(worker, 1, "good");
  auto refused = call(worker, 2, "refuse");
  EXPECT_EQ(refused.kind, CallOutcome::Kind::kRequestError);
  EXPECT_EQ(refused.detail, "ValueError: no");
  auto after = call(worker, 3, "good");
  EXPECT_EQ(first.result["pid"], after.result["pid"]);
  EXPECT_EQ(worker.restarts(), 0);
}

TEST_F(WorkerTest, HangIsATimeoutAndTheNextCallGetsAFreshWorker) {
  Worker worker(command(), *log_, 30s);
  auto first = call(worker, 1, "good");
  auto start = std::chrono::steady_clock::now();
  auto hung = call(worker, 2, "hang", 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(hung.kind, CallOutcome::Kind::kTimeout);
  auto after = call(worker, 3, "good");
  ASSERT_EQ(after.kind, CallOutcome::Kind::kOk);
  EXPECT_NE(first.result["pid"], after.result["pid"]);
  EXPECT_EQ(worker.restarts(), 1);
}

TEST_F(WorkerTest, CrashIsReportedWithTheSignal) {
  Worker worker(command(), *log_, 30s);
  auto crashed = call(worker, 1, "crash");
  EXPECT_EQ(crashed.kind, CallOutcome::Kind::kCrashed);
  EXPECT_NE(crashed.detail.find("SIGSEGV"), std::string::npos) << crashed.detail;
  EXPECT_EQ(call(worker, 2, "good").kind, CallOutcome::Kind::kOk);
}

TEST_F(WorkerTest, GarbageOnStdoutIsAProtocolFailure) {
  Worker worker(command(), *log_, 30s);
  auto garbled = call(worker, 1, "garble");
  EXPECT_EQ(garbled.kind, CallOutcome::Kind::kGarbled);
  EXPECT_NE(garbled.detail.find("not a JSON object"), std::string::npos) << garbled.detail;
  EXPECT_EQ(call(worker, 2, "good").kind, CallOutcome::Kind::kOk);
  EXPECT_EQ(worker.restarts(), 1);
}

TEST_F(WorkerTest, AnOversizeReplyIsCutOffAndTheNextCallGetsAFreshWorker) {
  Worker worker(command(), *log_, 10s, /*max_reply_bytes=*/1 << 20);
  auto oversize = call(worker, 1, "oversize");
  EXPECT_EQ(oversize.kind, CallOutcome::Kind::kGarbled);
  EXPECT_NE(oversize.detail.find("longer than 1 MiB"), std::string::npos) << oversize.detail;
  auto next = call(worker, 2, "fine");
  EXPECT_EQ(next.kind, CallOutcome::Kind::kOk) << next.detail;
  EXPECT_EQ(worker.restarts(), 1);
}

TEST_F(WorkerTest, EveryStartedProcessIsSetUpFirst) {
  auto setup = std::make_shared<WorkerSetup>();
  setup->request_line = protocol::extract_request(0, "/dev/null", "setup");
  setup->timeout = 10s;
  Worker worker(command(), *log_, 10s);
  worker.set_setup(setup);
  EXPECT_EQ(call(worker, 1, "crash").kind, CallOutcome::Kind::kCrashed);
  EXPECT_EQ(call(worker, 2, "fine").kind, CallOutcome::Kind::kOk);
  std::string log = log_text();
  size_t first = log.find("set up: {\"label\":\"setup\""), second = log.rfind("set up: {\"label\":\"setup\"");
  EXPECT_NE(first, std::string::npos) << log;
  EXPECT_NE(first, second) << "the process started after the crash is set up too";
  EXPECT_FALSE(setup->failed);
}

TEST_F(WorkerTest, ASetUpThatHangsIsDroppedAndTheWorkGoesOn) {
  auto setup = std::make_shared<WorkerSetup>();
  setup->request_line = protocol::extract_request(0, "/dev/null", "hang");
  setup->timeout = 300ms;
  Worker worker(command(), *log_, 10s);
  worker.set_setup(setup);
  auto outcome = call(worker, 1, "fine");
  EXPECT_EQ(outcome.kind, CallOutcome::Kind::kOk) << outcome.detail;
  EXPECT_TRUE(setup->failed);
  EXPECT_NE(log_text().find("set-up failed (no reply in 0.3 s); workers go on without it"), std::string::npos) << log_text();
}

TEST_F(WorkerTest, StartFailureSaysWhy) {
  fs::remove(root_ / "pkg" / "warpsynth_worker" / "__main__.py");
  std::ofstream(root_ / "pkg" / "warpsynth_worker" / "__main__.py") << "raise ImportError('No module named warp')\n";
  Worker worker(command(), *log_, 30s);
  try {
    worker.ensure_started();
    FAIL() << "expected WorkerStartError";
  } catch (const WorkerStartError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("exited at start"), std::string::npos) << what;
    EXPECT_NE(what.find("No module named warp"), std::string::npos) << what;
  }
}
