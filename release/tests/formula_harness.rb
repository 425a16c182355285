# Test harness (not Homebrew): evaluates a rendered formula under a minimal stand-in of the
# Formula DSL for one OS/arch, prints what Homebrew would download, and, given an unpacked
# archive directory, runs the formula's `install` and `test do` blocks against it.
#
#   ruby formula_harness.rb FORMULA OS ARCH [UNPACKED_DIR PREFIX]
require "fileutils"
require "json"
require "open3"

$os, $arch = ARGV[1], ARGV[2]

class Formula
  class << self
    attr_reader :fields, :deps, :test_block
    def desc(v) = (@fields ||= {})[:desc] = v
    def homepage(v) = (@fields ||= {})[:homepage] = v
    def version(v = nil) = v ? (@fields ||= {})[:version] = v : @fields[:version]
    def license(v) = (@fields ||= {})[:license] = v
    def url(v) = (@fields ||= {})[:url] = v
    def sha256(v) = (@fields ||= {})[:sha256] = v
    def depends_on(v) = (@deps ||= []) << v
    def on_macos = ($os == "darwin" ? yield : nil)
    def on_linux = ($os == "linux" ? yield : nil)
    def on_arm = ($arch == "arm64" ? yield : nil)
    def on_intel = ($arch == "amd64" ? yield : nil)
    def test(&block) = @test_block = block
  end

  class Bin
    def initialize(dir) = @dir = dir
    def install(name)
      FileUtils.mkdir_p(@dir)
      FileUtils.cp(name, File.join(@dir, File.basename(name)), preserve: true)
    end
    def to_s = @dir
  end

  def initialize(prefix) = @bin = Bin.new(File.join(prefix, "bin"))
  def bin = @bin
  def version = self.class.version

  def shell_output(cmd)
    out, status = Open3.capture2e(cmd)
    raise "#{cmd} failed (#{status.exitstatus}): #{out}" unless status.success?
    out
  end

  def assert_match(expected, actual)
    raise "expected #{actual.inspect} to match #{expected.inspect}" unless actual.match?(expected)
  end
end

load ARGV[0]
klass = Object.const_get(:Stigmer)
result = { "url" => klass.fields[:url], "sha256" => klass.fields[:sha256], "version" => klass.version,
           "depends_on" => klass.deps || [] }
if ARGV[3]
  formula = klass.new(ARGV[4])
  Dir.chdir(ARGV[3]) { formula.install }
  formula.instance_eval(&klass.test_block)
  result["tested"] = true
end
puts JSON.generate(result)
