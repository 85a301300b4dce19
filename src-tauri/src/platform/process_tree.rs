//! A delivery command and everything it starts, stopped together, on every system. A command
//! killed alone leaves its children (a shell's `cat`, PowerShell's `vault.exe`) to see end of
//! input and store an empty key, so "stopped" means the whole tree:
//! - Linux: the command leads its own process group, and carries a mark in its environment that
//!   every process it starts inherits. Stopping signals the group by the id kept from the spawn
//!   (also after the leader was reaped), then walks `/proc` for every process with the mark and
//!   kills each through a pidfd (so a reused pid is never hit), until a walk finds none new. The
//!   mark reaches what leaves the group: `setsid`, a shell with job control (`set -m`), an
//!   orphan adopted by init. Chosen over a subreaper (the app would have to reap strangers, and
//!   could not tell them from WebKit's own children) and a cgroup (not ours to create on most
//!   desktops). A process that clears its environment *and* leaves the group escapes; none of
//!   the presets' programs does.
//! - Other Unix systems: the process group.
//! - Windows: a Job object with kill-on-close; the command starts suspended, joins it, then runs,
//!   so nothing it starts is outside. Stopping ends the job (`TerminateJobObject`) and waits until
//!   no process of it is left.

use std::io;

/// The name of the variable that marks a delivery's processes (its value is new each time).
#[cfg(unix)]
const MARK_VARIABLE: &str = "CERTOPAY_KEYS_DELIVERY";

/// What is set on the command before it starts, so that its tree can be found.
pub(crate) struct TreeMark {
    #[cfg(unix)]
    mark: String,
}

/// Sets the command up to be stopped with everything it starts.
pub(crate) fn prepare(command: &mut tokio::process::Command) -> TreeMark {
    #[cfg(unix)]
    {
        let mark = format!("{:032x}", rand::random::<u128>());
        command.process_group(0).env(MARK_VARIABLE, &mark);
        TreeMark { mark }
    }
    #[cfg(windows)]
    {
        // CREATE_NO_WINDOW: no console flashes up; CREATE_SUSPENDED: it runs only once it is in
        // the job (`adopt`).
        command.creation_flags(0x0800_0000 | 0x0000_0004);
        TreeMark {}
    }
}

/// A started command's whole tree.
pub(crate) struct ProcessTree {
    #[cfg(unix)]
    group: libc::pid_t,
    #[cfg(unix)]
    mark: String,
    #[cfg(windows)]
    job: windows::Job,
}

impl ProcessTree {
    /// Takes the started command in. On Windows it joins its job and only then runs; if that
    /// fails it is ended, never left running outside.
    pub(crate) fn adopt(mark: TreeMark, child: &tokio::process::Child) -> io::Result<ProcessTree> {
        #[cfg(unix)]
        {
            let group = child.id().ok_or_else(|| io::Error::other("the command ended before it could be watched"))? as libc::pid_t;
            Ok(ProcessTree { group, mark: mark.mark })
        }
        #[cfg(windows)]
        {
            let _ = mark;
            Ok(ProcessTree { job: windows::Job::adopt(child)? })
        }
    }

    /// Kills every process of the tree; returns once none of them can run again.
    pub(crate) fn stop(&self) {
        #[cfg(unix)]
        {
            // SAFETY: a plain signal to the group the command led, by the id kept from the spawn.
            unsafe { libc::killpg(self.group, libc::SIGKILL) };
            #[cfg(target_os = "linux")]
            linux::kill_marked(&format!("{MARK_VARIABLE}={}", self.mark));
        }
        #[cfg(windows)]
        self.job.terminate();
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::collections::BTreeSet;

    /// Kills every process whose environment holds `entry`, walking `/proc` again until a walk
    /// finds none that was not already killed: one that got SIGKILL never runs again, so it
    /// cannot start another, and what it started before is found by the next walk.
    pub(super) fn kill_marked(entry: &str) {
        let mut killed = BTreeSet::new();
        // Bounded: a fork bomb under the mark is not ours to outlast.
        for _ in 0..64 {
            let found: Vec<libc::pid_t> = marked(entry.as_bytes()).into_iter().filter(|pid| !killed.contains(pid)).collect();
            if found.is_empty() {
                return;
            }
            for pid in found {
                kill_if_marked(pid, entry.as_bytes());
                killed.insert(pid);
            }
        }
    }

    fn marked(entry: &[u8]) -> Vec<libc::pid_t> {
        let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
        dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<libc::pid_t>().ok())
            .filter(|pid| *pid != std::process::id() as libc::pid_t && has_mark(*pid, entry))
            .collect()
    }

    /// Whether the process's environment holds the mark (a zombie's reads as empty).
    fn has_mark(pid: libc::pid_t, entry: &[u8]) -> bool {
        std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|environ| environ.split(|b| *b == 0).any(|e| e == entry))
    }

    /// Pins the process with a pidfd, checks it still carries the mark, and kills it through
    /// the pidfd: a pid reused meanwhile is never signalled. Without pidfds (Linux before 5.3),
    /// a plain kill after the check.
    fn kill_if_marked(pid: libc::pid_t, entry: &[u8]) {
        // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor, closed below.
        let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as libc::c_int;
        if !has_mark(pid, entry) {
            if pidfd >= 0 {
                // SAFETY: our own descriptor, closed once.
                unsafe { libc::close(pidfd) };
            }
            return;
        }
        if pidfd >= 0 {
            // SAFETY: a signal through our own pidfd, then the descriptor closed once.
            unsafe {
                libc::syscall(libc::SYS_pidfd_send_signal, pidfd, libc::SIGKILL, std::ptr::null::<libc::siginfo_t>(), 0);
                libc::close(pidfd);
            }
        } else {
            // SAFETY: a plain signal to a process that carried the mark a moment ago.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

#[cfg(windows)]
mod windows {
    use std::io;

    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::System::Diagnostics::ToolHelp::{
        CreateToolhelp32Snapshot, Thread32First, Thread32Next, TH32CS_SNAPTHREAD, THREADENTRY32,
    };
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JobObjectBasicAccountingInformation, JobObjectExtendedLimitInformation,
        QueryInformationJobObject, SetInformationJobObject, TerminateJobObject, JOBOBJECT_BASIC_ACCOUNTING_INFORMATION,
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    };
    use windows_sys::Win32::System::Threading::{OpenThread, ResumeThread, TerminateProcess, THREAD_SUSPEND_RESUME};

    /// A job that ends every process in it when it is terminated or its handle is closed.
    pub(super) struct Job(HANDLE);

    // SAFETY: a job handle may be used from any thread.
    unsafe impl Send for Job {}
    unsafe impl Sync for Job {}

    impl Job {
        pub(super) fn adopt(child: &tokio::process::Child) -> io::Result<Job> {
            let process = child.raw_handle().ok_or_else(|| io::Error::other("the command ended before it joined its job"))? as HANDLE;
            let pid = child.id().unwrap_or(0);
            let joined = Job::new().and_then(|job| {
                // SAFETY: both handles are live; the process is suspended, so it started nothing yet.
                if unsafe { AssignProcessToJobObject(job.0, process) } == 0 {
                    return Err(io::Error::last_os_error());
                }
                resume_threads(pid)?;
                Ok(job)
            });
            if joined.is_err() {
                // SAFETY: our own child's handle; it never ran.
                unsafe { TerminateProcess(process, 1) };
            }
            joined
        }

        fn new() -> io::Result<Job> {
            // SAFETY: an unnamed job with default security; the handle is owned by the Job.
            let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
            if handle.is_null() {
                return Err(io::Error::last_os_error());
            }
            let job = Job(handle);
            // SAFETY: a zeroed plain C struct, one flag set, passed with its size.
            let set = unsafe {
                let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
                limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
                SetInformationJobObject(
                    job.0,
                    JobObjectExtendedLimitInformation,
                    &limits as *const _ as *const _,
                    std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
                )
            };
            if set == 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(job)
        }

        /// Ends every process in the job and waits (bounded) until none is left.
        pub(super) fn terminate(&self) {
            // SAFETY: our own job handle.
            unsafe { TerminateJobObject(self.0, 1) };
            for _ in 0..2000 {
                // SAFETY: a zeroed plain C struct filled by the call, with its size.
                let active = unsafe {
                    let mut info: JOBOBJECT_BASIC_ACCOUNTING_INFORMATION = std::mem::zeroed();
                    let ok = QueryInformationJobObject(
                        self.0,
                        JobObjectBasicAccountingInformation,
                        &mut info as *mut _ as *mut _,
                        std::mem::size_of::<JOBOBJECT_BASIC_ACCOUNTING_INFORMATION>() as u32,
                        std::ptr::null_mut(),
                    );
                    if ok == 0 {
                        0
                    } else {
                        info.ActiveProcesses
                    }
                };
                if active == 0 {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    }

    impl Drop for Job {
        fn drop(&mut self) {
            // SAFETY: closed once; kill-on-close ends whatever is still in it.
            unsafe { CloseHandle(self.0) };
        }
    }

    /// Resumes the threads of a process started suspended (its main thread).
    fn resume_threads(pid: u32) -> io::Result<()> {
        // SAFETY: a snapshot of the system's threads, walked with a sized entry, then closed.
        unsafe {
            let snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
            if snapshot == INVALID_HANDLE_VALUE {
                return Err(io::Error::last_os_error());
            }
            let mut entry: THREADENTRY32 = std::mem::zeroed();
            entry.dwSize = std::mem::size_of::<THREADENTRY32>() as u32;
            let mut resumed = 0;
            let mut more = Thread32First(snapshot, &mut entry) != 0;
            while more {
                if entry.th32OwnerProcessID == pid {
                    let thread = OpenThread(THREAD_SUSPEND_RESUME, 0, entry.th32ThreadID);
                    if !thread.is_null() {
                        if ResumeThread(thread) != u32::MAX {
                            resumed += 1;
                        }
                        CloseHandle(thread);
                    }
                }
                more = Thread32Next(snapshot, &mut entry) != 0;
            }
            CloseHandle(snapshot);
            if resumed == 0 {
                return Err(io::Error::other("the command's thread could not be resumed"));
            }
        }
        Ok(())
    }
}
