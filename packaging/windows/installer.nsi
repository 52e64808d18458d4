; Windows installer of the trade-in store terminal.
;
; Built by packaging/scripts/package.sh, which passes:
;   VERSION           the version string stamped into the binaries
;   NUMVERSION        the same as four numbers (a.b.c.d) for the version resource
;   SRCDIR            folder holding tradein-terminal.exe, terminalctl.exe, the .ico
;   OUTFILE           the installer to write
;   WITH_TERMINALCTL  defined when terminalctl.exe was built
;   SIGN_CMD          defined (sign.sh) when a code-signing certificate is configured
;
; Program files go to $PROGRAMFILES64\TradeinTerminal; data lives apart in
; %ProgramData%\TradeinTerminal. Install, upgrade (installing over an
; earlier version), reinstall and uninstall never touch the data folder.
;
; Field support:
;   setup.exe /S                        silent install (or upgrade)
;   setup.exe /S /D=D:\TradeinTerminal  silent install into another folder (/D last)
;   uninstall.exe /S                    silent uninstall, data kept
;   uninstall.exe /S /PURGE             silent uninstall that also DELETES the data
;                                       folder (sales, queue, keys, backups)

Unicode true
!include "MUI2.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

!define APPNAME "TradeinTerminal"
!define DISPLAYNAME "以旧换新门店终端"
!define PUBLISHER "Tradein Terminal"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPNAME}"
; With SetShellVarContext all, $APPDATA is %ProgramData%.
!define DATADIR "$APPDATA\${APPNAME}"

Name "${DISPLAYNAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APPNAME}"
RequestExecutionLevel admin
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

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "本程序需要 64 位 Windows。" /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "Install"
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File "${SRCDIR}\tradein-terminal.exe"
!ifdef WITH_TERMINALCTL
  File "${SRCDIR}\terminalctl.exe"
!endif
  File "${SRCDIR}\tradein-terminal.ico"

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
  Delete "$INSTDIR\tradein-terminal.exe"
  Delete "$INSTDIR\terminalctl.exe"
  Delete "$INSTDIR\tradein-terminal.ico"
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
