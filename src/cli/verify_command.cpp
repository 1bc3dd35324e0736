#include <iostream>
#include <memory>
#include <thread>

#include <filesystem>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "verify/verify_run.h"

namespace warpsynth::cli {
namespace {

const char* kHelp = R"(Verify the records of an existing dataset, generated or extracted, at a level above codegen.

DIR is the output of `warpsynth generate` or `warpsynth extract` (kernels.jsonl, or shards in
any format). Each record's Python is loaded alone in a Warp worker, its kernel compiled (CPU
as a launch builds it, CUDA to PTX) and, with --level run, launched at three sizes on seeded
inputs made from its argument types: no error, finite outputs, the same outputs twice, not all
zero or constant, outputs that change with the inputs. --level grad also compares Warp's
adjoint (wp.Tape backward) with central finite differences (docs/verification.md). A generated
record is launched as its generator said (meta.launch_dims, meta.array_shapes, meta.launch)
with the inputs `generate --verify run` gives it; an extracted record at a launch guessed from
its wp.tid(), with arrays of 16 elements per dimension where the launch does not shape them.

Writes, in OUT (another folder than DIR): the records with their `verify` results filled in
(verify.cpu_compile, cuda_ptx, cpu_run, grad_check; verify.run and verify.grad say what
replays each check), as shards of --shard-size records in the input's order; a record that
fails a level is left out and counted by reason. A record whose Python does not load alone
is kept, its levels "skipped: ...". Also manifest.json, summary.json (per-level counts with
reasons), warpsynth.log. Re-running the same command resumes at the first incomplete shard;
a folder holding another verification is refused.
Exit code: 0 when no record failed, 1 when any failed, 2 on a usage error.)";

}  // namespace

Runner add_verify_command(CLI::App& app) {
  struct State {
    VerifyOptions options;
    std::string level = "run";
    std::string format = "jsonl";
    double timeout_s = 600.0;
    bool quiet = false;
  };
  auto state = std::make_shared<State>();
  CLI::App* cmd = app.add_subcommand("verify", "Run and check the kernels of an existing dataset (--level run|grad)");
  cmd->footer(kHelp);
  cmd->add_option("DIR", state->options.in_dir, "A generate or extract output folder")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--out", state->options.out_dir, "Output folder (created if missing)")->required();
  cmd->add_option("--level", state->level, "Verification level")->default_val("run")->check(CLI::IsMember({"run", "grad"}));
  cmd->add_option("--opt-level", state->options.opt_level,
                  "Build the CPU code at this optimization level (0-3) instead of Warp's default -O2 (CUDA PTX "
                  "stays at -O3); recorded in each record's meta.opt_level")
      ->check(CLI::Range(0, 3));
  cmd->add_option("--jobs,-j", state->options.jobs, "Worker processes (default: the number of cores)")
      ->default_val(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())))
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--batch", state->options.batch, "Records per worker request")->default_val(8)->check(CLI::Range(1, 10000));
  cmd->add_option("--shard-size", state->options.shard_size, "Records per output shard")->default_val(1000)->check(CLI::Range(1ull, 100'000'000ull));
  cmd->add_option("--format", state->format, "Shard format")->default_val("jsonl")->check(CLI::IsMember({"jsonl", "jsonl.zst", "json"}));
  cmd->add_option("--timeout", state->timeout_s, "Seconds one batch may take in the worker")->default_val(600.0)->check(cli::finite_positive());
  cmd->add_option("--ray", state->options.ray_address,
                  "Verify the shards on a Ray cluster: its address (HOST:PORT, or auto); the input and output "
                  "folders must be ones every node reaches (docs/cluster.md)");
  cmd->add_option("--cluster-task-shards", state->options.task_shards,
                  "(used by --ray) verify only these shards, print their outcomes, keep no manifest")
      ->delimiter(',')
      ->group("");
  cmd->add_flag("--quiet,-q", state->quiet, "No progress lines on stderr");
  return [state]() {
    // The names CLI11 checked, parsed once: the run takes the values.
    state->options.level = *parse_verify_level(state->level);
    state->options.format = parse_shard_format(state->format);
    std::error_code ec;
    if (std::filesystem::exists(state->options.out_dir, ec) &&
        std::filesystem::equivalent(state->options.in_dir, state->options.out_dir, ec)) {
      std::cerr << "warpsynth verify: --out must be another folder than the input (" << state->options.out_dir << ")\n";
      return kExitUsage;
    }
    if (!state->options.ray_address.empty()) {
      if (int code = ray_address_refusal(state->options.ray_address, "verify"); code != 0) return code;
    }
    if (auto problem = check_out_dir(state->options.out_dir, "verify"); !problem.empty()) {
      std::cerr << "warpsynth verify: " << problem << "\n";
      return kExitUsage;
    }
    state->options.batch_timeout = std::chrono::milliseconds(static_cast<long long>(state->timeout_s * 1000));
    state->options.progress = !state->quiet;
    try {
      RunSummary summary = run_verify(state->options, std::cerr);
      if (!state->options.task_shards.empty()) return kExitOk;  // the outcomes are the output
      summary.print(std::cout);
      std::cout << "output: " << state->options.out_dir << "/kernels-*\n";
      return summary.failures().empty() ? kExitOk : kExitFailure;
    } catch (const RunUsageError& e) {
      std::cerr << "warpsynth verify: " << e.what() << "\n";
      return kExitUsage;
    } catch (const std::exception& e) {
      std::cerr << "warpsynth verify: " << e.what() << "\n";
      return kExitFailure;
    }
  };
}

}  // namespace warpsynth::cli
