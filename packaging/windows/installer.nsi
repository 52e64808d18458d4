; Windows installer of the trade-in store terminal.
;
; Built by packaging/scripts/package.sh, which passes:
;   VERSION           the version string stamped into the binaries
;   NUMVERSION        the same as four numbers (a.b.c.d) for the version resource
;   SRCDIR            folder holding tradein-terminal.exe, terminalctl.exe, the .ico
;                     and third-party-licenses.txt
;   OUTFILE           the installer to write
;   WITH_TERMINALCTL  defined when terminalctl.exe was built
;   SIGN_CMD          defined (sign.sh) when a code-signing certificate is configured
;
; Program files go to $PROGRAMFILES64\TradeinTerminal; data lives apart in
; %ProgramData%\TradeinTerminal. Install, upgrade (installing over an
; earlier version), reinstall and uninstall never touch the data folder.
;
; Field support:
;   setup.exe /S                        silent install (or upgrade, into the folder
;                                       of the earlier install, wherever that is)
;   setup.exe /S /D=D:\TradeinTerminal  silent first install into another folder (/D last)
;   uninstall.exe /S                    silent uninstall, data kept
;   uninstall.exe /S /PURGE             silent uninstall that also DELETES the data
;                                       folder (sales, queue, keys, backups)
;
; A running app is never replaced or deleted under its feet (that left the
; old tradein-terminal.exe beside new files and registry entries): before
; touching a file, install and uninstall ask every running app to quit
; through the named event Global\TradeinTerminal.Quit (the app waits on it,
; cmd/tradein-terminal/wiring/quitrequest.go), wait up to 30 s for
; tradein-terminal.exe and terminalctl.exe to be free, and otherwise stop
; with nothing changed.
;
; Exit codes (installer, and uninstaller run with _?=<folder>, without which
; Windows reports only that the uninstaller started):
;   0    done
;   1    cancelled by the user
;   2    stopped by the script (e.g. not 64-bit Windows)
;   32   the app (or terminalctl) is still running and did not quit: nothing
;        was changed; close it and run again (32 is Windows' "file in use")
;   183  already installed in another folder than /D= names: nothing was
;        changed; omit /D= to upgrade in place, or uninstall first (183 is
;        Windows' "already exists")

Unicode true
!include "MUI2.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

!define APPNAME "TradeinTerminal"
!define DISPLAYNAME "以旧换新门店终端"
!define PUBLISHER "Tradein Terminal"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPNAME}"
; Must equal wiring.QuitEventName (packaging/packagetest checks it).
!define QUITEVENT "Global\TradeinTerminal.Quit"
!define EXIT_IN_USE 32
!define EXIT_OTHER_FOLDER 183
; How long the app gets to quit, in half seconds.
!define QUIT_WAIT_STEPS 60
; With SetShellVarContext all, $APPDATA is %ProgramData%.
!define DATADIR "$APPDATA\${APPNAME}"

Name "${DISPLAYNAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APPNAME}"
RequestExecutionLevel admin
; A file that cannot be written stops the installation (Retry/Cancel; a
; silent install cancels) instead of being skipped into a mixed version.
AllowSkipFiles off
SetCompressor /SOLID lzma
ManifestDPIAware true
Icon "${SRCDIR}\tradein-terminal.ico"
UninstallIcon "${SRCDIR}\tradein-terminal.ico"

!ifdef SIGN_CMD
; NSIS writes the uninstaller while it builds the installer: sign it then,
; so the copy embedded in the (later signed) installer is signed too.
!uninstfinalize '"${SIGN_CMD}" "%1"' = 0
!endif

!define MUI_ICON "${SRCDIR}\tradein-terminal.ico"
!define MUI_UNICON "${SRCDIR}\tradein-terminal.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\tradein-terminal.exe"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

VIProductVersion "${NUMVERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "${DISPLAYNAME}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "${DISPLAYNAME} 安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "© ${PUBLISHER}"

; EarlierFolder puts the folder of an earlier install (InstallLocation,
; written with the 64-bit registry view) into $R0, or "" when there is none.
!macro EARLIER_FOLDER un
Function ${un}EarlierFolder
  ReadRegStr $R0 HKLM "${UNINSTKEY}" "InstallLocation"
FunctionEnd
!macroend
!insertmacro EARLIER_FOLDER ""

; ProgramInUse sets $R9 to 1 when tradein-terminal.exe or terminalctl.exe
; in $INSTDIR is running (Windows refuses to open a running program's file
; for writing), else 0.
!macro PROGRAM_IN_USE un
Function ${un}ProgramInUse
  StrCpy $R9 0
  ${If} ${FileExists} "$INSTDIR\tradein-terminal.exe"
    ClearErrors
    FileOpen $R8 "$INSTDIR\tradein-terminal.exe" a
    ${If} ${Errors}
      StrCpy $R9 1
    ${Else}
      FileClose $R8
    ${EndIf}
  ${EndIf}
  ${If} ${FileExists} "$INSTDIR\terminalctl.exe"
    ClearErrors
    FileOpen $R8 "$INSTDIR\terminalctl.exe" a
    ${If} ${Errors}
      StrCpy $R9 1
    ${Else}
      FileClose $R8
    ${EndIf}
  ${EndIf}
FunctionEnd

; CloseRunningApp asks running apps to quit (QUITEVENT), waits until the
; program files are free, and otherwise stops the (un)installer with exit
; code EXIT_IN_USE before anything was changed.
Function ${un}CloseRunningApp
  Call ${un}ProgramInUse
  ${If} $R9 == 0
    Return
  ${EndIf}
  DetailPrint "正在关闭运行中的收银程序 Asking the running app to quit"
  ; EVENT_MODIFY_STATE (2): SetEvent and ResetEvent.
  System::Call 'kernel32::OpenEventW(i 2, i 0, w "${QUITEVENT}") p .r1'
  ${If} $1 P<> 0
    System::Call 'kernel32::SetEvent(p r1)'
  ${EndIf}
  StrCpy $R7 0
  ${Do}
    Sleep 500
    Call ${un}ProgramInUse
    IntOp $R7 $R7 + 1
    ${If} $R9 == 0
      ${ExitDo}
    ${EndIf}
  ${LoopUntil} $R7 >= ${QUIT_WAIT_STEPS}
  ; Reset, so that an app started later is not told to quit at once.
  ${If} $1 P<> 0
    System::Call 'kernel32::ResetEvent(p r1)'
    System::Call 'kernel32::CloseHandle(p r1)'
  ${EndIf}
  ${If} $R9 == 1
    MessageBox MB_ICONSTOP "收银程序仍在运行，未做任何更改。请先关闭它（以及 terminalctl），然后重试。$\r$\nThe app (or terminalctl) is still running in $INSTDIR; nothing was changed. Close it and run this again." /SD IDOK
    SetErrorLevel ${EXIT_IN_USE}
    Quit
  ${EndIf}
FunctionEnd
!macroend
!insertmacro PROGRAM_IN_USE ""
!insertmacro PROGRAM_IN_USE "un."

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "本程序需要 64 位 Windows。" /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  ; Upgrade in place: without /D= (the default folder) an earlier install
  ; made into another folder (/D= then) is found again instead of getting
  ; a second copy beside it.
  Call EarlierFolder
  ${If} $R0 != ""
  ${AndIf} $INSTDIR == "$PROGRAMFILES64\${APPNAME}"
    StrCpy $INSTDIR $R0
  ${EndIf}
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "Install"
  SetShellVarContext all
  ; One install per PC: a folder other than the earlier install's (/D= or
  ; the directory page) would leave the first copy orphaned.
  Call EarlierFolder
  ${If} $R0 != ""
  ${AndIf} $R0 != $INSTDIR
    MessageBox MB_ICONSTOP "已安装在 $R0，未做任何更改。升级请不要指定其他目录（/D=），或先卸载。$\r$\nAlready installed in $R0; nothing was changed. Upgrade without /D=, or uninstall first." /SD IDOK
    SetErrorLevel ${EXIT_OTHER_FOLDER}
    Quit
  ${EndIf}
  Call CloseRunningApp

  SetOutPath "$INSTDIR"
  File "${SRCDIR}\tradein-terminal.exe"
!ifdef WITH_TERMINALCTL
  File "${SRCDIR}\terminalctl.exe"
!endif
  File "${SRCDIR}\tradein-terminal.ico"
  File "${SRCDIR}\third-party-licenses.txt"

  ; The data folder is created on first install only. The app runs under
  ; the shop's (non-administrator) account, so the local Users group may
  ; modify it; an existing folder keeps its files and permissions.
  ${IfNot} ${FileExists} "${DATADIR}\*.*"
    CreateDirectory "${DATADIR}"
    nsExec::ExecToLog 'icacls "${DATADIR}" /grant *S-1-5-32-545:(OI)(CI)M'
    Pop $0
  ${EndIf}

  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${DISPLAYNAME}.lnk" "$INSTDIR\tradein-terminal.exe" "" \
    "$INSTDIR\tradein-terminal.ico" 0

  ; Add/Remove Programs entry.
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${DISPLAYNAME}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\tradein-terminal.ico"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINSTKEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  SetShellVarContext all
  Call un.CloseRunningApp
  Delete "$INSTDIR\tradein-terminal.exe"
  Delete "$INSTDIR\terminalctl.exe"
  ; Started again since the check: keep everything, the Add/Remove entry
  ; included, so that the uninstall can simply be run again.
  ${If} ${FileExists} "$INSTDIR\tradein-terminal.exe"
  ${OrIf} ${FileExists} "$INSTDIR\terminalctl.exe"
    MessageBox MB_ICONSTOP "收银程序仍在运行，卸载未完成。请关闭它后重试。$\r$\nThe app is still running; the uninstall did not finish. Close it and run it again." /SD IDOK
    SetErrorLevel ${EXIT_IN_USE}
    Quit
  ${EndIf}
  Delete "$INSTDIR\tradein-terminal.ico"
  Delete "$INSTDIR\third-party-licenses.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${DISPLAYNAME}.lnk"
  DeleteRegKey HKLM "${UNINSTKEY}"

  ; The data folder (sales, the queue for the platform, keys, backups) is
  ; kept unless /PURGE is on the command line.
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PURGE" $R1
  ${IfNot} ${Errors}
    RMDir /r "${DATADIR}"
  ${EndIf}
SectionEnd
