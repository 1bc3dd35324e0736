#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "generator/config.h"
#include "generate/generate_run.h"

namespace warpsynth::cli {
namespace {

const char* kHelp = R"(Generate random, typed Warp kernels and the code Warp generates for them.

Sample i is made from a seed derived from (--seed, i) alone, by a generator driven by the
installed Warp's builtin catalog (exported by the worker once, cached per Warp version) and by
the probability tables of the config (built in; --config FILE overrides any subset, see
--print-config and docs/generator.md). The same seed, config and Warp version give the same
kernels, byte for byte, whatever --jobs and --batch are.

--jobs long-lived worker processes (each imports Warp once) take batches of --batch kernels
(smaller ones near the end, so that the workers finish together);
every kernel is code-generated for CPU and CUDA, forward and backward (--verify compile also
builds the CPU object with Warp's compiler and CUDA PTX with Warp's NVRTC; no GPU needed;
--verify run builds the CPU code as a launch does and runs it at three sizes on seeded inputs:
no error, finite outputs, the same outputs twice, not all zero or constant, and outputs that
change with the inputs; --verify grad also compares Warp's adjoint (wp.Tape backward) with
central finite differences over the floating input arrays; docs/verification.md). A kernel that
fails is dropped and counted by
reason. A worker that crashes, hangs (--timeout) or
garbles its output is restarted and its batch bisected, so only the kernel at fault is lost;
workers are replaced after --recycle batches to bound their memory.

Output, in DIR: shards of --shard-size samples, kernels-00000.jsonl, ... (or .jsonl.zst, or a
folder kernels-00000/ of one JSON file per sample with --format json), each written as its
samples arrive under a temporary name and renamed when complete; manifest.json (the run and
its complete shards); summary.json; warpsynth.log (the workers' output). Re-running the same
command after a crash or a kill resumes at the first incomplete shard; a folder holding another
run is refused.
With --from DIR, sample i is instead a variant of a real kernel: a self-contained record of
DIR (written by `warpsynth extract`; with `verify` verdicts, records whose cpu_run failed are
left out; each record that gives a variant once before any twice, in an order of --seed),
with edits a person makes to code they adapt: locals and arguments renamed consistently by
names real Warp code uses (comments and docstrings follow where they name the code), a round
constant retuned, two independent assignments reordered, range(0, n) written range(n),
now and then a builtin swapped for one of the same signatures. A variant
shares under variants.max_parent_jaccard of its token 5-grams with its parent (new data for
`dataset`'s near-dedup); its record has template "variant", meta.generator.parent (the parent
record's id, kernel, file and package with its license) and meta.generator.edits, and is
launched at --verify run as an extracted kernel is. `dataset` puts a variant in its parent's
split. The config's "variants" section sets the edits' probabilities.
Exit code: 0 when every kernel passed, 1 when any failed, 2 on a usage error.)";

}  // namespace

Runner add_generate_command(CLI::App& app) {
  struct State {
    GenerateOptions options;
    std::string format = "jsonl";
    std::string verify = "codegen";
    double timeout_s = 300.0;
    bool quiet = false;
    bool print_config = false;
    long long show = -1;
  };
  auto state = std::make_shared<State>();
  CLI::App* cmd = app.add_subcommand("generate", "Generate random typed kernels with their C++/CUDA code");
  cmd->footer(kHelp);
  cmd->add_option("--count,-n", state->options.count, "Number of kernels")->default_val(100)->check(CLI::Range(1ull, 100'000'000ull));
  cmd->add_option("--seed", state->options.seed, "Run seed (0 to 18446744073709551615)")->default_val(0)->check(cli::unsigned_64());
  cmd->add_option("--out", state->options.out_dir, "Output folder (created if missing)");
  cmd->add_option("--config", state->options.config_path, "JSON file overriding generator settings")->check(CLI::ExistingFile);
  cmd->add_option("--from", state->options.from_dir,
                  "Make variants of the self-contained real kernels in this folder (an `extract` or `verify` output) "
                  "instead of kernels from scratch")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--batch", state->options.batch, "Kernels per worker request")->default_val(32)->check(CLI::Range(1, 10000));
  cmd->add_option("--jobs,-j", state->options.jobs, "Worker processes (default: the number of cores)")
      ->default_val(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())))
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--shard-size", state->options.shard_size, "Samples per shard")->default_val(1000)->check(CLI::Range(1ull, 100'000'000ull));
  cmd->add_option("--format", state->format, "Shard format")->default_val("jsonl")->check(CLI::IsMember({"jsonl", "jsonl.zst", "json"}));
  cmd->add_option("--verify", state->verify, "Verification level")->default_val("codegen")->check(CLI::IsMember({"codegen", "compile", "run", "grad"}));
  cmd->add_option("--opt-level", state->options.opt_level,
                  "With --verify run|grad: build the CPU code at this optimization level (0-3) instead of Warp's "
                  "default -O2 (CUDA PTX stays at -O3); recorded in each record's meta.opt_level")
      ->check(CLI::Range(0, 3));
  cmd->add_option("--recycle", state->options.recycle_after, "Batches a worker serves before it is replaced")->default_val(100)->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--timeout", state->timeout_s, "Seconds one batch may take in the worker")->default_val(300.0)->check(cli::finite_positive());
  cmd->add_option("--ray", state->options.ray_address,
                  "Make the shards on a Ray cluster: its address (HOST:PORT, or auto for the cluster this machine "
                  "belongs to). Each task runs this binary on its node with --jobs workers; the output folder must be "
                  "one every node reaches (docs/cluster.md)");
  cmd->add_option("--cluster-task-shards", state->options.task_shards,
                     "(used by --ray) make only these shards, print their outcomes, keep no manifest")
      ->delimiter(',')
      ->group("");  // hidden: what a cluster task runs
  cmd->add_flag("--quiet,-q", state->quiet, "No progress lines on stderr");
  cmd->add_flag("--print-config", state->print_config, "Print the effective generator config as JSON and exit");
  cmd->add_option("--show", state->show, "Print the Python of sample INDEX of this seed and config, and exit")
      ->check(CLI::NonNegativeNumber);
  return [state]() {
    // The names CLI11 checked, parsed once: the run takes the values.
    state->options.format = parse_shard_format(state->format);
    state->options.verify = *parse_verify_level(state->verify);
    if (state->print_config) {
      try {
        auto config = state->options.config_path.empty() ? generator::GeneratorConfig::defaults()
                                                         : generator::GeneratorConfig::load(state->options.config_path);
        std::cout << config.to_json().dump(2) << "\n";
        return kExitOk;
      } catch (const std::exception& e) {
        std::cerr << "warpsynth generate: " << e.what() << "\n";
        return kExitUsage;
      }
    }
    if (state->show >= 0) {
      try {
        std::cout << show_sample(state->options, static_cast<std::uint64_t>(state->show));
        return kExitOk;
      } catch (const std::exception& e) {
        std::cerr << "warpsynth generate: " << e.what() << "\n";
        return kExitFailure;
      }
    }
    if (state->options.out_dir.empty()) {
      std::cerr << "warpsynth generate: --out is required\n";
      return kExitUsage;
    }
    if (!state->options.ray_address.empty()) {
      if (int code = ray_address_refusal(state->options.ray_address, "generate"); code != 0) return code;
    }
    if (auto problem = check_out_dir(state->options.out_dir, "generate"); !problem.empty()) {
      std::cerr << "warpsynth generate: " << problem << "\n";
      return kExitUsage;
    }
    if (!state->options.config_path.empty()) {
      try {
        generator::GeneratorConfig::load(state->options.config_path);
      } catch (const std::exception& e) {
        std::cerr << "warpsynth generate: " << e.what() << "\n";
        return kExitUsage;
      }
    }
    if (state->options.opt_level >= 0 && !launches(state->options.verify)) {
      std::cerr << "warpsynth generate: --opt-level applies to --verify run and grad\n";
      return kExitUsage;
    }
    state->options.batch_timeout = std::chrono::milliseconds(static_cast<long long>(state->timeout_s * 1000));
    state->options.progress = !state->quiet;
    try {
      RunSummary summary = run_generate(state->options, std::cerr);
      if (!state->options.task_shards.empty()) return kExitOk;  // the outcomes are the output
      summary.print(std::cout);
      std::cout << "output: " << state->options.out_dir << "/kernels-*\n";
      return summary.failures().empty() ? kExitOk : kExitFailure;
    } catch (const RunUsageError& e) {
      std::cerr << "warpsynth generate: " << e.what() << "\n";
      return kExitUsage;
    } catch (const std::exception& e) {
      std::cerr << "warpsynth generate: " << e.what() << "\n";
      return kExitFailure;
    }
  };
}

}  // namespace warpsynth::cli
