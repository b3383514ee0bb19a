// DynamoDB Local is a Java program (Java 17+). This finds a suitable `java`; on a Debian machine
// run as root it installs OpenJDK 17 itself, elsewhere it says exactly what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const MIN_VERSION = 17;

function versionOf(java: string): number | undefined {
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) return undefined;
  const major = Number(m[1]);
  return major === 1 ? Number(m[2]) : major;
}

function candidates(): string[] {
  const list: string[] = [];
  if (process.env.JAVA_HOME) list.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  list.push('java');
  for (const v of ['21', '17']) list.push(`/usr/lib/jvm/java-${v}-openjdk-amd64/bin/java`, `/usr/lib/jvm/java-${v}-openjdk-arm64/bin/java`);
  return list.filter((c) => c === 'java' || existsSync(c));
}

export function findJava(): string | undefined {
  return candidates().find((c) => (versionOf(c) ?? 0) >= MIN_VERSION);
}

/** Returns a java command of version 17+, installing OpenJDK 17 through apt where that is possible. */
export function ensureJava(): string {
  const found = findJava();
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('apt-get', ['--version']).status === 0;
  if (isRoot && hasApt) {
    console.log('Java 17+ not found: installing openjdk-17-jre-headless with apt-get (DynamoDB Local needs it)...');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'openjdk-17-jre-headless'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const installed = findJava();
    if (installed) return installed;
  }
  throw new Error(
    [
      `DynamoDB Local needs Java ${MIN_VERSION} or newer, and none was found.`,
      'Install it, then run the command again:',
      '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless',
      '  macOS (Homebrew): brew install openjdk@17',
      'or point JAVA_HOME at a JDK/JRE 17+.',
    ].join('\n'),
  );
}
