<#
.SYNOPSIS
  Runs the Mandate daemon at logon as a Scheduled Task, in the user's own session and profile.

.DESCRIPTION
  Not a Windows service on purpose: the daemon acts for one person, keeps its data in that
  person's profile (%APPDATA%\Mandate) and is paired with that person's browser. A service would
  run as another account, with another profile, for everyone at once.

  Run elevated (creating a logon-triggered task needs administrator rights), e.g. from Intune,
  GPO or an installer:
    powershell -ExecutionPolicy Bypass -File install-task.ps1                     # the current user
    powershell -ExecutionPolicy Bypass -File install-task.ps1 -User 'EXAMPLE\alice'
    powershell -ExecutionPolicy Bypass -File install-task.ps1 -AllUsers           # whoever logs on
  Remove with:  Unregister-ScheduledTask -TaskName 'Mandate daemon' -Confirm:$false

  EDIT the defaults below (-Node, -Mandate) to where Node.js and Mandate are installed.
  The policy file is read from %ProgramData%\Mandate\policy.json when present; -Policy names
  another one (passed as --policy).
#>
param(
  [string]$User = "$env:USERDOMAIN\$env:USERNAME",
  [switch]$AllUsers,
  [string]$Node = 'C:\Program Files\nodejs\node.exe',
  [string]$Mandate = 'C:\Program Files\Mandate\bin\mandate.js',
  [string]$Policy = '',
  [string]$TaskName = 'Mandate daemon'
)
$ErrorActionPreference = 'Stop'

foreach ($f in @($Node, $Mandate)) {
  if (-not (Test-Path -LiteralPath $f)) { throw "Not found: $f (edit -Node / -Mandate)" }
}

# node.exe is a console program: start it through a hidden PowerShell window so that nothing shows
# on the desktop. PowerShell waits for node, so Task Scheduler still sees the daemon stop or fail.
$daemonArgs = "& '$Node' --no-memory-reducer '$Mandate' daemon"
if ($Policy) { $daemonArgs += " --policy '$Policy'" }
$action = New-ScheduledTaskAction -Execute "$env:SystemRoot\System32\WindowsPowerShell\v1.0\powershell.exe" `
  -Argument "-NoProfile -NonInteractive -WindowStyle Hidden -Command `"$daemonArgs`""

if ($AllUsers) {
  $trigger = New-ScheduledTaskTrigger -AtLogOn                       # any user who logs on
  $principal = New-ScheduledTaskPrincipal -GroupId 'S-1-5-32-545' -RunLevel Limited   # BUILTIN\Users
} else {
  $trigger = New-ScheduledTaskTrigger -AtLogOn -User $User
  $principal = New-ScheduledTaskPrincipal -UserId $User -LogonType Interactive -RunLevel Limited
}

# No time limit (the default of 72 hours would stop the daemon); restart it if it fails; one copy.
$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) `
  -RestartCount 3 -RestartInterval (New-TimeSpan -Minutes 1) -MultipleInstances IgnoreNew `
  -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -StartWhenAvailable

Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Principal $principal `
  -Settings $settings -Description 'Mandate daemon: approves, bounds and audits what AI agents do for this user' -Force | Out-Null
Write-Host "Registered '$TaskName'. It starts at the next logon; to start it now (as that user): Start-ScheduledTask -TaskName '$TaskName'"

# The same with schtasks.exe (current user; /IT = only while the user is logged on):
#   schtasks /Create /TN "Mandate daemon" /SC ONLOGON /RU "%USERDOMAIN%\%USERNAME%" /IT /RL LIMITED /F ^
#     /TR "\"C:\Program Files\nodejs\node.exe\" --no-memory-reducer \"C:\Program Files\Mandate\bin\mandate.js\" daemon"
#   (schtasks cannot clear the 72-hour limit: set "Stop the task if it runs longer than" off in
#   Task Scheduler, or use this script.)
