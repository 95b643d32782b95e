; Inno Setup script: a per-machine installer for council IT (silent-deployable).
;
; Build on Windows, after `python installers\dev.py bundle` has made dist\rbsw-desktop\:
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" installers\windows\rbsw-desktop.iss
; Silent install (Intune / SCCM / GPO):
;   rbsw-desktop-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LOG="%TEMP%\rbsw-setup.log"
; Silent uninstall:
;   "C:\Program Files\rbsw-desktop\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; The IT policy is not part of the installer: push C:\ProgramData\rbsw-desktop\policy.json
; (read-only to users) with the same deployment tool.

#define AppVersion "0.1.0"

[Setup]
AppId={{6B1C8E4A-7F0D-4B8E-9C1A-5D2E3F4A5B6C}
AppName=rbsw-desktop
AppVersion={#AppVersion}
AppPublisher=Children's services
DefaultDirName={autopf}\rbsw-desktop
DefaultGroupName=rbsw-desktop
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=rbsw-desktop-setup
Compression=lzma2
SolidCompression=yes
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\rbsw-desktop.exe

[Files]
Source: "..\..\dist\rbsw-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Dirs]
; Where IT puts policy.json; users may read it, not change it.
Name: "{commonappdata}\rbsw-desktop"; Permissions: users-readexec

[Icons]
Name: "{commonprograms}\rbsw-desktop"; Filename: "{app}\rbsw-desktop.exe"

[Run]
; The app is a GUI build with no console: the self-test's report goes to the --report file,
; which IT can read (or collect) after a silent install. Its exit code is 0 when nothing FAILED.
Filename: "{app}\rbsw-desktop.exe"; Parameters: "--self-test --offscreen --report ""{commonappdata}\rbsw-desktop\self-test.txt"""; Flags: runhidden waituntilterminated; StatusMsg: "Checking the installation..."

[UninstallDelete]
Type: files; Name: "{commonappdata}\rbsw-desktop\self-test.txt"
